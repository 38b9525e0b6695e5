-- routed-lans.lua - scenarios/bundled/routed-lans.json written in Lua, for
-- lua-same-pcap.sh: the two must put the same bytes on the wire.
--
-- The LANs come from a helper function, the ping is a timeline entry as in
-- JSON (at{...}), and the traceroute and the checks at 9 s are Lua
-- callbacks: the wire does not see the difference.

scenario{
  name = "Three LANs joined by two routers",
  seed = 7,
  duration = "12s",
}

local function lan(host_name, ip, switch_name, gateway)
  return host{name = host_name, interfaces = {{name = "eth0", ip = ip .. "/24"}},
              gateway = gateway}, switch{name = switch_name, ports = 4}
end

local function router_between(name, a, b, route_to, via)
  router{name = name,
         interfaces = {{name = "eth0", ip = a}, {name = "eth1", ip = b}},
         routes = {{to = route_to, via = via}}}
end

lan("alice", "10.1.0.10", "sw-lab", "10.1.0.1")
router_between("r1", "10.1.0.1/24", "10.2.0.1/24", "10.3.0.0/24", "10.2.0.2")
router_between("r2", "10.2.0.2/24", "10.3.0.1/24", "10.1.0.0/24", "10.2.0.1")
switch{name = "sw-lib", ports = 4}
host{name = "bob", interfaces = {{name = "eth0", ip = "10.3.0.20/24"}}, gateway = "10.3.0.1"}

link{a = "alice:eth0", b = "sw-lab:1"}
link{a = "sw-lab:4", b = "r1:eth0"}
link{a = "r1:eth1", b = "r2:eth0", bandwidth = "10Mbps", delay = "2ms"}
link{a = "r2:eth1", b = "sw-lib:4"}
link{a = "sw-lib:1", b = "bob:eth0"}

at{at = "1s", node = "alice", run = "ping -c 3 10.3.0.20",
   expect = {contains = "3 packets transmitted, 3 received", exit = 0}}

at("5s", function()
  run("alice", "traceroute 10.3.0.20", {expect = {
    matches = " 1  10\\.1\\.0\\.1 .*\n 2  10\\.2\\.0\\.2 .*\n 3  10\\.3\\.0\\.20 ", exit = 0}})
end)

at("9s", function()
  run("alice", "arp -a", {expect = {contains = "(10.1.0.1) at"}})
  run("r1", "show ip route", {expect = {contains = "S        10.3.0.0/24 [1/0] via 10.2.0.2"}})
  expect(#mac_table("sw-lab") == 2, "sw-lab learned 2 addresses")
end)

expect_packet{summary = "Who has 10.1.0.1? Tell 10.1.0.10", min = 1}
expect_packet{summary = "Time-to-live exceeded", protocol = "ICMP", min = 3}
