-- A link to a node that does not exist.
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
for i = 1, 3 do
  link{a = "pc1:eth0", b = "sw" .. i .. ":1"}
end
