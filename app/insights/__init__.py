"""The insight library: search, heard before, stars, links and exports."""
