/**
 * msrp: the public API. The protocol layer (RFC 4975 chunks, URIs, header
 * codecs, the streaming parser, validation, status codes) and the error
 * classes; the layers above add their exports here.
 */
export { Chunk, randomIdent } from './protocol/chunk.ts';
export type { ChunkInit, ContinuationFlag } from './protocol/chunk.ts';
export { ChunkParser, DEFAULT_WHOLE_CHUNK_LIMIT } from './protocol/chunk-parser.ts';
export type { ChunkParserEvents, ChunkParserHandlers, ChunkParserOptions } from './protocol/chunk-parser.ts';
export { MAX_NON_SEND_BODY, validateChunk, validateHead } from './protocol/validate.ts';
export type { ValidateOptions, ValidationFailure } from './protocol/validate.ts';
export { MsrpUri } from './protocol/uri.ts';
export type { MsrpUriParts } from './protocol/uri.ts';
export {
  canonicalHeaderName, formatByteRange, formatContentType, formatDigest, formatPath, formatStatus, HEADER_NAMES,
  headerId, mediaTypeMatches, parseByteRange, parseContentType, parseDigest, parseExpires, parsePath, parseReport,
  parseStatus,
} from './protocol/headers.ts';
export type {
  ByteRange, ContentDisposition, ContentType, DigestValue, MsrpStatus, ReportValue,
} from './protocol/headers.ts';
export { isSuccess, reasonPhrase, REASON_PHRASES, StatusCode } from './protocol/status.ts';
export { IncomingChunk, MessageReassembler } from './protocol/reassembler.ts';
export type {
  ChunkOutcome, FailedMessage, FailureReason, IncomingMessage, ReassemblerEvents, ReassemblerOptions, ReassemblySink,
} from './protocol/reassembler.ts';
export type { ReceivedRange } from './core/range-types.ts';
export { createParseError, MsrpConnectError, MsrpConnectionError, MsrpError, MsrpParseError, MsrpSessionError, MsrpStreamError, MsrpChatError, MsrpUriError } from './errors.ts';
export type { FramingLimits } from './core/types.ts';
export { configureCore, DEFAULT_CORE_OPTIONS } from './core/wasm.ts';
export type { CoreOptions } from './core/wasm.ts';
export { DEFAULT_LIMITS } from './core/types.ts';
export { credentialLine, FileCredentialStore, MemoryCredentialStore, parseCredentials } from './relay/credentials.ts';
export type { CredentialStore, StoredCredential } from './relay/credentials.ts';
export { MsrpRelay } from './relay/relay.ts';
export type { MsrpRelayEvents, RelayStats } from './relay/relay.ts';
export type { ExpiresBounds, MsrpRelayOptions } from './relay/options.ts';
export * from './streams/sdp.ts';
export {
  CPIM_CONTENT_TYPE, CPIM_HEADERS_NS, cpimHeaders, decodeCpimValue, encodeCpimValue, formatCpimAddress, formatCpimDateTime,
  parseCpimAddress, parseCpimDateTime, readCpimHead, unwrapCpim, wrapCpim,
} from './streams/cpim.ts';
export type {
  CpimAddress, CpimDateTime, CpimHead, CpimHeader, CpimMessage, CpimNamespace, CpimSubject, CpimUnwrapOptions, CpimWrapOptions,
} from './streams/cpim.ts';
export { buildMultipart, isMultipart, splitMultipart } from './streams/multipart.ts';
export type { MimePart, MimePartInit, MultipartOptions } from './streams/multipart.ts';
export type { MimeHeader } from './streams/mime.ts';
export {
  buildIsComposing, ComposingReceiver, ComposingSender, DEFAULT_RECEIVER_REFRESH, IDLE_TIMEOUT, ISCOMPOSING_CONTENT_TYPE,
  MIN_REFRESH, parseIsComposing,
} from './streams/is-composing.ts';
export type { ComposingSenderOptions, ComposingState, IsComposing } from './streams/is-composing.ts';
export {
  buildImdn, buildImdnResponse, IMDN_CONTENT_TYPE, IMDN_NS, imdnRequestHeaders, isImdn, parseImdn, readImdn, readImdnRequest,
  wantsNotification,
} from './streams/imdn.ts';
export type { DispositionRequest, Imdn, ImdnRequest, ImdnResponseOptions, NotificationType } from './streams/imdn.ts';
export { createUniqueFile, sanitizeFileName } from './streams/file-name.ts';
export type { SanitizeOptions, UniqueFile, UniqueFileOptions } from './streams/file-name.ts';
export { MsrpStreamBase } from './streams/stream-base.ts';
export type { MediaInput, StreamEvents, StreamOptions, StreamState } from './streams/stream-base.ts';
export { CHAT_ACCEPT_TYPES, CHAT_ACCEPT_WRAPPED_TYPES, ChatMessageHandle, ChatStream } from './streams/chat.ts';
export type {
  ChatClock, ChatComposingInfo, ChatDeliveredInfo, ChatDelivery, ChatIdentity, ChatMessagePart, ChatNotDeliveredInfo,
  ChatNotification, ChatSendOptions, ChatStreamEvents, ChatStreamOptions, ComposingOptions, IncomingChatMessage,
} from './streams/chat.ts';
export { FileTransferStream } from './streams/file-transfer.ts';
export type {
  FileProgress, FileResumeState, FileSource, FileTransferStreamEvents, FileTransferStreamOptions,
} from './streams/file-transfer.ts';
export { DesktopSharingStream, RFB_CONTENT_TYPE } from './streams/desktop-sharing.ts';
export type { DesktopSharingStreamEvents, DesktopSharingStreamOptions } from './streams/desktop-sharing.ts';
export {
  BufferSource, DEFAULT_SLICE_SIZE, DEFAULT_TRANSACTION_TIMEOUT, failureReportOf, makeResponse, mayRespond, MAX_UNINTERRUPTIBLE,
  MsrpConnection, MsrpTransport, OutgoingMessage, PushSource, ReadableSource, TransactionTable,
} from './transport.ts';
export type {
  BodySource, ByteStream, ConnectionEvents, ConnectionOptions, MakeChunkOptions, MessageOutcome, MsrpTransportOptions,
  OutgoingMessageEvents, RequestTarget, Resolution, SendMessageOptions, SentChunk, SessionHandler, TransactionHandlers,
  TransactionResult, TransportEvents, WriterOptions,
} from './transport.ts';
export { DEFAULT_KEEPALIVE, IncomingStream, MsrpSession, SCREEN_BYTES, SentMessage } from './session.ts';
export type {
  DeliveryOutcome, DeliveryStatus, IncomingReport, IncomingStreamInit, IncompleteMessage, MessageProgress, MsrpSessionEvents,
  MsrpSessionOptions, ReceivedMessage, ReceiverOptions, ScreenRequest, ScreenVerdict, SendOptions, SentMessageEvents,
} from './session.ts';
export {
  childLogger, consoleLogger, formatTrafficRecord, noopLogger, summarizeBody, trafficLogTo, trafficLogToLogger,
} from './log.ts';
export type { LogFn, Logger, TrafficLog, TrafficRecord } from './log.ts';
export {
  AcceptorDirect, AcceptorRelay, answerSetup, certificateFingerprint, ConnectionPool, connectionRole, ConnectorDirect,
  ConnectorRelay, defaultPool, fingerprintMatches, getAcceptor, getConnector, MsrpServer, offerSetup, orderSrv,
  parseFingerprint, parseSetup, relayTargets,
} from './connect/index.ts';
export type {
  BindingHandler, BindingRequest, ConnectionRole, ConnectOptions, Connector, Fingerprint, MsrpServerOptions, MsrpTlsOptions,
  RelayConnectorEvents, RelayGrant, RelayOptions, RelayTarget, SetupValue, SrvResolver,
} from './connect/index.ts';
