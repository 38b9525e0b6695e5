-- A scenario cannot run programs: there is no os library.
os.execute("touch pwned.txt")
