-- lua-lan30.lua - thirty hosts on one switch, built in a loop.
--
-- What JSON would need 30 copies of, Lua says once: a loop makes the hosts,
-- their cables and a ping each to the file server. Every host ARPs for the
-- server first; the switch floods those broadcasts to every port, learns
-- where each host sits, and from then on sends each reply only out of the
-- port it belongs to. At the end the script reads the switch's MAC table and
-- the server's ARP cache to check that all 30 hosts are in both.

scenario{
  name = "Thirty hosts built in a loop (Lua)",
  description = "A 30-host LAN made by a for loop. Each host pings the server once, a few " ..
    "milliseconds apart; watch the first ARP broadcasts flood every port of the switch, " ..
    "then the MAC table fill up. The script checks at the end that the switch learned " ..
    "all 31 addresses and the server answered everyone.",
  seed = 30,
  duration = "10s",
}

local N = 30

switch{name = "sw1", ports = 32, position = {x = 640, y = 140}}
server{name = "files", interfaces = {{name = "eth0", ip = "10.30.0.250/24"}},
       position = {x = 640, y = 40}}
link{a = "files:eth0", b = "sw1:32", bandwidth = "1Gbps"}

for i = 1, N do
  local name = string.format("pc%02d", i)
  -- three rows of ten under the switch
  local col, row = (i - 1) % 10, (i - 1) // 10
  host{
    name = name,
    interfaces = {{name = "eth0", ip = "10.30.0." .. i .. "/24"}},
    position = {x = 100 + col * 120, y = 300 + row * 130},
  }
  link{a = name .. ":eth0", b = "sw1:" .. i}
  -- a ping each, 20 ms apart, checked as the JSON format checks it
  at{at = 1 + (i - 1) * 0.02, node = name, run = "ping -c 1 10.30.0.250",
     expect = {contains = "1 received", exit = 0}}
end

-- Every host's ARP request reaches the server exactly once.
expect_packet{summary = "Who has 10.30.0.250?", on = "files", min = N, max = N}

at_end(function()
  local macs = mac_table("sw1")
  expect(#macs == N + 1, "the switch learned " .. #macs .. " MAC addresses (" .. N + 1 ..
         " expected: every host and the server)")
  local cache = arp("files")
  expect(#cache == N, "the server's ARP cache holds " .. #cache .. " hosts")
end)
