-- expect: cb_memory.lua:7: memory limit exceeded
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
host{name = "pc2", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}
link{a = "pc1:eth0", b = "pc2:eth0"}
local hoard = {}
on_packet(function(p)
  while true do hoard[#hoard + 1] = p.bytes .. #hoard end
end)
at("1s", function() run("pc1", "ping -c 1 10.0.0.2") end)
