"""The project pages, one module per part: lists, editing (lead form and edit), detail (the project page and its forms)."""
