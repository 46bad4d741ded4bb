/**
 * ByteStream: the small interface a connection runs over. net.Socket and
 * tls.TLSSocket fit it as they are; any Duplex stream of Buffers does too (a
 * WebSocket adapter for RFC 7977 later, or a stream pair in tests).
 */

/** A duplex byte stream: what MsrpConnection needs from a socket. */
export interface ByteStream {
  write(data: Buffer, callback?: (error?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
  /** half-closes the writing side once everything written is flushed */
  end(): void;
  destroy(error?: Error): void;
  pause(): void;
  resume(): void;
  /** octets buffered and not yet handed to the operating system */
  readonly writableLength: number;
  readonly writableHighWaterMark?: number;
  readonly destroyed: boolean;
  // Events used: 'data' (Buffer), 'end', 'close', 'error', 'drain'.
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  /** socket addresses when the stream is a socket */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  /** true for a tls.TLSSocket */
  readonly encrypted?: boolean;
  /** a socket's TCP_NODELAY */
  setNoDelay?(noDelay?: boolean): unknown;
}

/** `host:port` with IPv6 hosts in brackets, or '?' when unknown. */
export function endpointLabel(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?';
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? '?'}`;
}

/** `local->remote` for logs. */
export function streamLabel(stream: ByteStream): string {
  return `${endpointLabel(stream.localAddress, stream.localPort)}->${endpointLabel(stream.remoteAddress, stream.remotePort)}`;
}
