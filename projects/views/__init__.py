"""The project pages, one module per part: lists, editing (lead and edit forms), detail (the
project page and its forms)."""
