from tymdocs.quick import main

main()
