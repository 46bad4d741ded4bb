{
  "targets": [
    {
      "target_name": "msrp_native",
      "sources": ["native/msrp-native.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"]
    }
  ]
}
