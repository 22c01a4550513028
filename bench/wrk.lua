-- wrk's side of `npm run bench` (bench/run.ts runs `wrk -t1 -s bench/wrk.lua URL -- [FILE FIRST_STEP]`).
--
-- Without arguments every request is the one given on wrk's command line (GET /healthz, GET /me).
-- With a bodies file, request i sends line i: its tab-separated fields are the JSON bodies for
-- the TOTP steps FIRST_STEP, FIRST_STEP + 1, ... (each with the code of that 30 s step), and the
-- field of the step that is current when the request leaves is sent. Every line is a different
-- pending login, so each request is a full, first-time verification. When the lines run out, the
-- last one is sent again: the server refuses the replay, and the report counts it as non-2xx.
-- One wrk thread (-t1) runs one Lua state, so every line is used once.

local bodies = nil
local first_step = 0
local sent = 0
local static = nil

function init(args)
  if args[1] == nil then return end
  bodies = {}
  for line in io.lines(args[1]) do
    local fields = {}
    for field in line:gmatch("[^\t]+") do fields[#fields + 1] = field end
    bodies[#bodies + 1] = fields
  end
  first_step = tonumber(args[2])
  wrk.method = "POST"
end

function request()
  if bodies == nil then
    static = static or wrk.format()
    return static
  end
  sent = sent + 1
  local fields = bodies[math.min(sent, #bodies)]
  local index = math.floor(os.time() / 30) - first_step + 1
  index = math.max(1, math.min(index, #fields))
  return wrk.format(nil, nil, nil, fields[index])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\nWRK_RESULT {"requests":%d,"durationUs":%d,"non2xx":%d,"errors":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
