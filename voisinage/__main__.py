from voisinage.cli import main

main()
