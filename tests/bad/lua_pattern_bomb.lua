-- A pattern that backtracks for hours is charged to the budget.
local s = string.rep("a", 60000)
print(s:find(string.rep("a*", 12) .. "b"))
