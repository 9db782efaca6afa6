-- wrk script for bench/relay.js: keep-alive POSTs with a 1.5 KiB body.
wrk.method = "POST"
wrk.body = string.rep("x", 1536)
wrk.headers["Content-Type"] = "application/octet-stream"
