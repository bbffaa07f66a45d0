-- wrk: PATCH the article's excerpt, a new text each request, as the editor
-- whose access token is in BENCH_TOKEN (If-Match: * — no version to race).
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN is not set")
wrk.headers["If-Match"] = "*"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"excerpt":"bench ' .. counter .. '"}')
end
