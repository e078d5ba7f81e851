import LineageCLI
LineageMain.main()
