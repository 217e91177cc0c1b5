"""Modal screens: model picker, help."""
