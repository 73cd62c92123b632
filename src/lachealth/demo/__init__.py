"""Demo: synthetic but realistic organisations, users and children for several areas."""
