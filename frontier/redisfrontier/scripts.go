package redisfrontier

import "github.com/redis/go-redis/v9"

// The scripts below keep the crawl's state consistent: each runs as one
// atomic step on the server, so no two processes ever see half of an
// operation. They are immutable, and safe to share between frontiers.
//
// Every script gets the crawl's key prefix ("crawl:{NAME}:") as ARGV[1]
// and a key of the crawl as KEYS[1], so that a cluster client sends it to
// the node holding the crawl's hash slot. The other keys are built from the
// prefix; they share its hash tag, so they are in the same slot.
//
// Time is always read with TIME on the server, so lease deadlines do not
// depend on the clocks of the machines running the crawl.

// luaCommon holds the helpers shared by the scripts that move items.
const luaCommon = `
local P = ARGV[1]

local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- fields returns the first three fields of an encoded item: its URL, host
-- and depth. Each field is its length in bytes, a colon, and its bytes.
local function fields(v)
  local out, pos = {}, 1
  for i = 1, 3 do
    local c = string.find(v, ':', pos, true)
    local n = tonumber(string.sub(v, pos, c - 1))
    out[i] = string.sub(v, c + 1, c + n)
    pos = c + n + 1
  end
  return out[1], out[2], out[3]
end

-- push queues the encoded item v of depth d and host h, at the back of its
-- host's queue or, for an item coming back from a lease, at the front.
local function push(d, h, v, front)
  local q = P .. 'q:' .. d .. ':' .. h
  local n
  if front then
    n = redis.call('LPUSH', q, v)
  else
    n = redis.call('RPUSH', q, v)
  end
  if n == 1 then
    -- The host's queue was empty: put the host back in the rotation.
    redis.call('RPUSH', P .. 'rr:' .. d, h)
  end
  redis.call('HINCRBY', P .. 'queued', d, 1)
  redis.call('ZADD', P .. 'depths', tonumber(d), d)
end

-- tidy forgets depth d once nothing of it is queued or leased.
local function tidy(d)
  local q = tonumber(redis.call('HGET', P .. 'queued', d) or '0')
  local l = tonumber(redis.call('HGET', P .. 'leased', d) or '0')
  if q <= 0 and l <= 0 then
    redis.call('HDEL', P .. 'queued', d)
    redis.call('HDEL', P .. 'leased', d)
    redis.call('ZREM', P .. 'depths', d)
  end
end

-- unlease ends the lease of url, which must exist, and returns the
-- item's depth, host and encoding.
local function unlease(url)
  local v = redis.call('HGET', P .. 'lease', url)
  redis.call('ZREM', P .. 'leases', url)
  redis.call('HDEL', P .. 'lease', url)
  redis.call('HDEL', P .. 'owner', url)
  local _, h, d = fields(v)
  redis.call('HINCRBY', P .. 'leased', d, -1)
  return d, h, v
end

-- requeue puts the leased item url back at the front of its queue.
local function requeue(url)
  local d, h, v = unlease(url)
  push(d, h, v, true)
end
`

// addScript marks each item's URL seen and, if it was new, queues the
// item, in one step: no other client can see the URL seen but not queued.
// ARGV after the prefix holds groups of URL, depth, host and encoded item.
// It returns how many items were new, and counts them in the crawl's
// "added" counter.
var addScript = redis.NewScript(luaCommon + `
local added = 0
for i = 2, #ARGV, 4 do
  if redis.call('SADD', P .. 'seen', ARGV[i]) == 1 then
    push(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], false)
    added = added + 1
  end
end
if added > 0 then
  redis.call('HINCRBY', P .. 'stats', 'added', added)
end
return added
`)

// addWithinScript is addScript within a budget: a new item is queued (and
// its URL marked seen) only while the crawl's "added" counter is under
// ARGV[2]; the groups of URL, depth, host and encoded item start at
// ARGV[3]. It returns {queued, refused for the budget}.
var addWithinScript = redis.NewScript(luaCommon + `
local max = tonumber(ARGV[2])
local total = tonumber(redis.call('HGET', P .. 'stats', 'added') or '0')
local added, over = 0, 0
for i = 3, #ARGV, 4 do
  if redis.call('SISMEMBER', P .. 'seen', ARGV[i]) == 0 then
    if total >= max then
      over = over + 1
    else
      redis.call('SADD', P .. 'seen', ARGV[i])
      push(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], false)
      added = added + 1
      total = total + 1
    end
  end
end
if added > 0 then
  redis.call('HINCRBY', P .. 'stats', 'added', added)
end
return {added, over}
`)

// nextScript re-queues the expired leases (at most ARGV[4] of them), then
// leases the next item if the level rule allows one. ARGV[2] is the lease
// in milliseconds and ARGV[3] the lease's owner token. It returns
//
//	{0}           nothing is queued or leased: the crawl is over;
//	{1, item}     the encoded item, now leased;
//	{2, ms}       nothing can be handed out yet; the earliest lease runs
//	              out in ms milliseconds.
var nextScript = redis.NewScript(luaCommon + `
local now = nowms()
local expired = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
for _, url in ipairs(expired) do
  requeue(url)
end
if #expired > 0 then
  redis.call('HINCRBY', P .. 'stats', 'reclaimed', #expired)
end

local low = redis.call('ZRANGE', P .. 'depths', 0, 0)
if #low == 0 then
  return {0}
end
local d = low[1]
if tonumber(redis.call('HGET', P .. 'queued', d) or '0') <= 0 then
  -- Depth d has leased items only: deeper items wait, since the links
  -- of d may reach them by a shorter path.
  local first = redis.call('ZRANGE', P .. 'leases', 0, 0, 'WITHSCORES')
  local wait = 0
  if #first == 2 then
    wait = math.max(tonumber(first[2]) - now, 0)
  end
  return {2, wait}
end

-- Round robin: serve the host at the head of the rotation, then move it to
-- the back, or drop it if its queue is now empty.
local rr = P .. 'rr:' .. d
local h = redis.call('LPOP', rr)
local q = P .. 'q:' .. d .. ':' .. h
local v = redis.call('LPOP', q)
if redis.call('LLEN', q) > 0 then
  redis.call('RPUSH', rr, h)
end
redis.call('HINCRBY', P .. 'queued', d, -1)
redis.call('HINCRBY', P .. 'leased', d, 1)
local url = fields(v)
redis.call('ZADD', P .. 'leases', now + tonumber(ARGV[2]), url)
redis.call('HSET', P .. 'lease', url, v)
redis.call('HSET', P .. 'owner', url, ARGV[3])
return {1, v}
`)

// doneScript ends the lease of url ARGV[2] if it is still held by the token
// ARGV[3], and counts the item done. It returns 1 if it did, 0 if the lease
// had run out (the item was re-queued, and may have been leased again).
var doneScript = redis.NewScript(luaCommon + `
local url = ARGV[2]
if redis.call('HGET', P .. 'owner', url) ~= ARGV[3] then
  return 0
end
local d = unlease(url)
tidy(d)
redis.call('HINCRBY', P .. 'stats', 'done', 1)
return 1
`)

// releaseScript puts the leased url ARGV[2] back at the front of its queue
// if its lease is still held by the token ARGV[3], and then forgets the
// URLs ARGV[4:], which the lease claimed (whether or not the lease was
// still held: the claims were never fetched). It returns 1 if it requeued.
var releaseScript = redis.NewScript(luaCommon + `
local url = ARGV[2]
for i = 4, #ARGV do
  redis.call('SREM', P .. 'seen', ARGV[i])
end
if redis.call('HGET', P .. 'owner', url) ~= ARGV[3] then
  return 0
end
requeue(url)
return 1
`)

// keepSettingsScript sets the crawl's settings key to ARGV[2] unless it
// exists. It returns {1, ARGV[2]} when it set it, {0, value} otherwise.
var keepSettingsScript = redis.NewScript(`
local P = ARGV[1]
local v = redis.call('GET', P .. 'settings')
if v then
  return {0, v}
end
redis.call('SET', P .. 'settings', ARGV[2])
return {1, ARGV[2]}
`)

// statsScript returns, in one consistent snapshot, the number of leased
// items, of items done, of leases that ran out, of URLs seen, and then
// pairs of host and number of items queued for it at one depth.
var statsScript = redis.NewScript(luaCommon + `
local out = {
  redis.call('ZCARD', P .. 'leases'),
  tonumber(redis.call('HGET', P .. 'stats', 'done') or '0'),
  tonumber(redis.call('HGET', P .. 'stats', 'reclaimed') or '0'),
  redis.call('SCARD', P .. 'seen'),
}
for _, d in ipairs(redis.call('ZRANGE', P .. 'depths', 0, -1)) do
  for _, h in ipairs(redis.call('LRANGE', P .. 'rr:' .. d, 0, -1)) do
    table.insert(out, h)
    table.insert(out, redis.call('LLEN', P .. 'q:' .. d .. ':' .. h))
  end
end
return out
`)

// countsScript returns the number of items queued and of items leased, over
// all depths, in one snapshot.
var countsScript = redis.NewScript(luaCommon + `
local q, l = 0, 0
for _, n in ipairs(redis.call('HVALS', P .. 'queued')) do
  q = q + tonumber(n)
end
for _, n in ipairs(redis.call('HVALS', P .. 'leased')) do
  l = l + tonumber(n)
end
return {q, l}
`)
