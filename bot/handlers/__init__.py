"""One module per part of the conversation: joining, the menu, languages, data, facilitators, groups."""
