from tymdocs.quick import run

run()
