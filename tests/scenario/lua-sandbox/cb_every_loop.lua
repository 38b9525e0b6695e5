-- expect: cb_every_loop.lua:5: instruction budget exhausted
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
host{name = "pc2", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}
link{a = "pc1:eth0", b = "pc2:eth0"}
every("10ms", function(n) for i = 1, 1e6 do end end)
