-- wrk script: each request is the next path of a file (one a line), round and round; each
-- thread starts at its own place. done() prints one line for tests/bench/wrk.py to read,
-- with the requests sent as well as those answered: the difference was in flight at the stop.

local threads = {}

function setup(thread)
    thread:set("start", #threads)
    table.insert(threads, thread)
end

function init(args)
    paths = {}
    for line in io.lines(args[1]) do
        paths[#paths + 1] = line
    end
    if #paths == 0 then
        error("no paths in " .. args[1])
    end
    sent = 0
    next_path = start * math.floor(#paths / math.max(tonumber(args[2]), 1))
end

function request()
    next_path = next_path % #paths + 1
    sent = sent + 1
    return wrk.format("GET", paths[next_path])
end

function done(summary, latency, requests)
    local sent = 0
    for _, thread in ipairs(threads) do
        sent = sent + thread:get("sent")
    end
    local errors = summary.errors
    io.write(string.format(
        "bench: requests=%d sent=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d "
            .. "status=%d connect=%d read=%d write=%d timeout=%d\n",
        summary.requests, sent, summary.duration, latency:percentile(50),
        latency:percentile(99), latency.max, errors.status, errors.connect, errors.read,
        errors.write, errors.timeout
    ))
end
