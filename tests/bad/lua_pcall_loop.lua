-- pcall cannot swallow the budget error for long.
while true do
  pcall(function() while true do end end)
end
