-- expect: cb_error.lua:5: boom
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
host{name = "pc2", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}
link{a = "pc1:eth0", b = "pc2:eth0"}
local function explode() error("boom") end
at("2s", function() explode() end)
