-- expect: cb_io_open.lua:5: attempt to index a nil value (global 'io')
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
host{name = "pc2", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}
link{a = "pc1:eth0", b = "pc2:eth0"}
after(0.5, function() io.open("pwned.txt", "w"):write("x") end)
