-- expect: cb_run_callback.lua:6: attempt to call a nil value (global 'require')
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
host{name = "pc2", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}
link{a = "pc1:eth0", b = "pc2:eth0"}
at("1s", function()
  run("pc1", "ping -c 1 10.0.0.2", function(out) require("io") end)
end)
