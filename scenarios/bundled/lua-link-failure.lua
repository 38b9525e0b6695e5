-- lua-link-failure.lua - a link fails at 5 s and the routes change around it.
--
-- Two routers, r1 and r2, have two ways to each other: a direct cable and a
-- longer path through r3. Static routes use the direct cable. ann pings bea
-- twice a second from 1 s. At 5 s the script takes the direct cable down:
-- the pings are lost, because static routes do not notice. At 6.5 s the
-- script plays the part of a routing protocol that has converged and
-- replaces the routes on r1 and r2 to go through r3: the pings come back,
-- one hop longer (ttl 61 instead of 62), and traceroute shows r3. At 10 s
-- the cable is repaired and the old routes are put back.

scenario{
  name = "A link fails, the routes change (Lua)",
  description = "ann pings bea across r1 and r2. At 5 s the cable between them is cut: " ..
    "the static routes still point at it, so the pings are lost. At 6.5 s the scenario's " ..
    "script moves the routes to the backup path through r3 and the replies return with " ..
    "one hop more (ttl=61). At 10 s the cable is back and so are the short routes. " ..
    "Compare the ttl of the replies and the two traceroutes.",
  seed = 11,
  duration = "16s",
}

local function lan_host(name, ip, gw, x, y)
  host{name = name, interfaces = {{name = "eth0", ip = ip}}, gateway = gw,
       position = {x = x, y = y}}
end

lan_host("ann", "10.0.1.10/24", "10.0.1.1", 80, 300)
router{name = "r1", position = {x = 300, y = 300},
       interfaces = {{name = "eth0", ip = "10.0.1.1/24"},
                     {name = "eth1", ip = "10.0.12.1/30"},  -- direct to r2
                     {name = "eth2", ip = "10.0.13.1/30"}}, -- to r3
       routes = {{to = "10.0.2.0/24", via = "10.0.12.2"}}}
router{name = "r2", position = {x = 700, y = 300},
       interfaces = {{name = "eth0", ip = "10.0.2.1/24"},
                     {name = "eth1", ip = "10.0.12.2/30"},
                     {name = "eth2", ip = "10.0.23.1/30"}},
       routes = {{to = "10.0.1.0/24", via = "10.0.12.1"}}}
router{name = "r3", position = {x = 500, y = 120},
       interfaces = {{name = "eth0", ip = "10.0.13.2/30"},
                     {name = "eth1", ip = "10.0.23.2/30"}},
       routes = {{to = "10.0.1.0/24", via = "10.0.13.1"},
                 {to = "10.0.2.0/24", via = "10.0.23.1"}}}
lan_host("bea", "10.0.2.20/24", "10.0.2.1", 920, 300)

link{a = "ann:eth0", b = "r1:eth0"}
link{a = "r1:eth1", b = "r2:eth1", delay = "1ms"}
link{a = "r1:eth2", b = "r3:eth0", delay = "3ms"}
link{a = "r3:eth1", b = "r2:eth2", delay = "3ms"}
link{a = "r2:eth0", b = "bea:eth0"}

-- The pings: 26 of them, from 1 s to 13.5 s.
at("1s", function()
  run("ann", "ping -c 26 -i 0.5 10.0.2.20", function(out, status)
    local sent, got = out:match("(%d+) packets transmitted, (%d+) received")
    sent, got = tonumber(sent), tonumber(got)
    print(string.format("ann's pings: %d sent, %d answered, %d lost in the outage",
                        sent, got, sent - got))
    expect(sent == 26, "ann sent 26 pings")
    expect(got >= 20 and got <= 24, "the outage cost a few pings, not all (" .. got .. " answered)")
    expect(out:find("ttl=61", 1, true) ~= nil, "some replies took the long way (ttl=61)")
  end)
end)

-- The failure.
at("5s", function()
  print("5 s: the cable between r1 and r2 is cut")
  link_down("r1", "r2")
end)

-- Convergence: both routers move to the path through r3.
local use_backup = {
  r1 = {to = "10.0.2.0/24", via = "10.0.13.2"},
  r2 = {to = "10.0.1.0/24", via = "10.0.23.2"},
}
local use_direct = {
  r1 = {to = "10.0.2.0/24", via = "10.0.12.2"},
  r2 = {to = "10.0.1.0/24", via = "10.0.12.1"},
}

local function apply(routes)
  for _, r in ipairs({"r1", "r2"}) do route_replace(r, routes[r]) end
end

at("6.5s", function()
  print("6.5 s: routes moved to the backup path through r3")
  apply(use_backup)
  local via
  for _, r in ipairs(routes("r1")) do
    if r.to == "10.0.2.0/24" then via = r.via end
  end
  expect(via == "10.0.13.2", "r1 now reaches 10.0.2.0/24 via r3 (10.0.13.2)")
end)

at("8s", function()
  run("ann", "traceroute -n 10.0.2.20", {expect = {contains = "10.0.13.2"}})
end)

-- Repair.
at("10s", function()
  print("10 s: the cable is repaired, the short routes come back")
  link_up("r1", "r2")
  apply(use_direct)
end)

at("14s", function()
  run("ann", "traceroute -n 10.0.2.20", {expect = {contains = "10.0.12.2", not_contains = "10.0.13.2"}})
end)

-- Count the echo requests r3 forwarded (only during the detour).
local detour = 0
on_packet({summary = "Echo (ping) request", on = "r3:eth1"}, function(p)
  detour = detour + 1
end)
at_end(function()
  expect(detour >= 5 and detour <= 8,
         "r3 forwarded " .. detour .. " echo requests while the direct cable was down")
end)
