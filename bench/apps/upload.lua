-- wrk script for the echo_upload app: every request POSTs the same 1 MiB body.
wrk.method = "POST"
wrk.body = string.rep("u", 1024 * 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
