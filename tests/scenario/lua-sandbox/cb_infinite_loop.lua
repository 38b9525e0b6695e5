-- expect: cb_infinite_loop.lua:6: instruction budget exhausted
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
host{name = "pc2", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}
link{a = "pc1:eth0", b = "pc2:eth0"}
at("1s", function()
  while true do end
end)
