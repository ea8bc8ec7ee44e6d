"""The command-line face of hasteh: a thin shell over `hasteh.app` and the lower layers."""
