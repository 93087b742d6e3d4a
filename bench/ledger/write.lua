-- wrk script: POST one contribution per request, the same bytes to the real
-- server and to the floor. Environment: TOKEN (bearer), DAY (YYYY-MM-DD).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
wrk.body = '{"domain":"household_labor","description":"Made dinner","occurred_on":"'
    .. (os.getenv("DAY") or "2026-01-01") .. '","effort":3}'
