-- lua-grading.lua - a graded exercise: the script checks what a student
-- configured, point by point, as a grader would.
--
-- The exercise: "Connect the office (10.10.1.0/24) to the lab
-- (10.10.2.0/24) through r1 and r2. Give the office PCs their addresses by
-- DHCP from r1 (pool .100-.150, gateway r1), give the lab server a static
-- address with r2 as its gateway, and add the static routes r1 and r2 need."
-- The network below is the model answer a student handed in; change it (a
-- wrong gateway, a missing route, no DHCP server) and watch the points go.
-- Each criterion is an expect() whose message says what was checked, so the
-- report reads like a marking sheet, and `netstep check` turns it into CI.

scenario{
  name = "Graded exercise: two routed LANs with DHCP (Lua)",
  description = "A student's answer to a routing exercise, graded by the scenario's " ..
    "script: it reads the routing tables, the DHCP leases, the addresses the PCs got, " ..
    "ARP caches and the result of pings and a traceroute, and gives a point for each " ..
    "criterion. Change the network and run it again to see what a mistake costs.",
  seed = 5,
  duration = "20s",
}

-- ---- the student's answer ----

host{name = "pc1", interfaces = {{name = "eth0", ip = "dhcp"}}, position = {x = 100, y = 160}}
host{name = "pc2", interfaces = {{name = "eth0", ip = "dhcp"}}, position = {x = 100, y = 440}}
switch{name = "sw-office", ports = 8, position = {x = 280, y = 300}}
router{name = "r1", position = {x = 480, y = 300},
       interfaces = {{name = "eth0", ip = "10.10.1.1/24"}, {name = "eth1", ip = "10.10.0.1/30"}},
       routes = {{to = "10.10.2.0/24", via = "10.10.0.2"}},
       dhcp_server = {interface = "eth0", pool = "10.10.1.100-10.10.1.150",
                      gateway = "10.10.1.1", lease = "1h"}}
router{name = "r2", position = {x = 700, y = 300},
       interfaces = {{name = "eth0", ip = "10.10.0.2/30"}, {name = "eth1", ip = "10.10.2.1/24"}},
       routes = {{to = "10.10.1.0/24", via = "10.10.0.1"}}}
server{name = "lab", interfaces = {{name = "eth0", ip = "10.10.2.10/24"}},
       gateway = "10.10.2.1", position = {x = 920, y = 300}}

link{a = "pc1:eth0", b = "sw-office:1"}
link{a = "pc2:eth0", b = "sw-office:2"}
link{a = "sw-office:8", b = "r1:eth0"}
link{a = "r1:eth1", b = "r2:eth0", delay = "1ms"}
link{a = "r2:eth1", b = "lab:eth0"}

-- What the students are asked to do in the lab, in order.
at{at = "0s", node = "pc1", run = "dhclient eth0"}
at{at = "0.2s", node = "pc2", run = "dhclient eth0"}

-- ---- the grader ----

local points, total = 0, 0

-- One criterion: a point when ok, and a line on the marking sheet either way
-- (level 2: the line reported is the one that called criterion()).
local function criterion(ok, what)
  total = total + 1
  if ok then points = points + 1 end
  expect(ok, string.format("[%s] %s", ok and "1/1" or "0/1", what), 2)
end

local function has_route(node, to, via)
  for _, r in ipairs(routes(node)) do
    if r.to == to and (via == nil or r.via == via) then return true end
  end
  return false
end

-- An address of a node's interface that lies in a /24, or nil.
local function address_in(node, prefix)
  for _, i in ipairs(interfaces(node)) do
    for _, a in ipairs(i.ip) do
      if a:sub(1, #prefix) == prefix then return a end
    end
  end
end

at("5s", function()
  -- Configuration, read from the devices themselves.
  criterion(has_route("r1", "10.10.2.0/24", "10.10.0.2"), "r1 routes the lab network via r2")
  criterion(has_route("r2", "10.10.1.0/24", "10.10.0.1"), "r2 routes the office network via r1")
  criterion(has_route("lab", "0.0.0.0/0", "10.10.2.1"), "the lab server's gateway is r2")

  -- DHCP: both PCs leased an address from the pool, with r1 as gateway.
  local active = 0
  for _, l in ipairs(leases("r1")) do
    if l.state == "active" then active = active + 1 end
  end
  criterion(active == 2, "r1 leased 2 addresses (" .. active .. " active leases)")
  for _, pc in ipairs({"pc1", "pc2"}) do
    local a = address_in(pc, "10.10.1.")
    local n = a and tonumber(a:match("^10%.10%.1%.(%d+)/24$"))
    criterion(n and n >= 100 and n <= 150,
              pc .. " got an address from the pool (" .. tostring(a) .. ")")
    criterion(has_route(pc, "0.0.0.0/0", "10.10.1.1"), pc .. " got r1 as its default gateway")
  end

  -- Behaviour: the office reaches the lab, by the expected path.
  run("pc1", "ping -c 3 10.10.2.10", function(out)
    criterion(out:find("3 received", 1, true), "pc1 reaches the lab server (ping)")
  end)
end)

at("9s", function()
  run("pc2", "traceroute -n 10.10.2.10", function(out)
    local hops = {}
    for hop in out:gmatch("\n%s*%d+%s+(%d+%.%d+%.%d+%.%d+)") do hops[#hops + 1] = hop end
    criterion(#hops == 3 and hops[1] == "10.10.1.1" and hops[2] == "10.10.0.2",
              "pc2's traceroute goes r1, r2, lab (" .. table.concat(hops, ", ") .. ")")
  end)
end)

at("15s", function()
  -- pc1 talked to the lab through r1, so its ARP cache has r1, not the lab.
  local knows_r1, knows_lab = false, false
  for _, e in ipairs(arp("pc1")) do
    if e.ip == "10.10.1.1" then knows_r1 = true end
    if e.ip == "10.10.2.10" then knows_lab = true end
  end
  criterion(knows_r1 and not knows_lab, "pc1 ARPed for its gateway, never for the lab server")
end)

at_end(function()
  print(string.format("grade: %d/%d points", points, total))
  expect(points == total, string.format("full marks (%d/%d)", points, total))
end)
