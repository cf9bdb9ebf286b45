// Newsroom progressive enhancement. Every page works without this file.
