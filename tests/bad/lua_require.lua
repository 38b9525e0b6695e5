-- No modules: require and package are not there.
local socket = require("socket")
