host{name="a", interfaces={{name="eth0", ip="10.0.0.1/24"}}}
local s = ("x"):rep(100):gsub("x+", function(m) return #m end)
assert(s == "100")
for k, v in pairs({z=1, a=2}) do end
print(string.format("%d", math.random(6)))
