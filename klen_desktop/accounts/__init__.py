"""The Klen accounts the app shows side by side: who they are, where their key and cache live. No Qt."""
