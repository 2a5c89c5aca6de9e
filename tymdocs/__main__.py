from tymdocs.cli import main

main()
