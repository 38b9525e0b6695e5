-- Finalizers run with hooks off, so they are not allowed.
setmetatable({}, {__gc = function() while true do end end})
