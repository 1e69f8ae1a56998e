"""FBA Inventory Health: everything that computes or reads files. Never imports streamlit."""
