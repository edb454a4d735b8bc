# Recipient suggestions in the To, Cc and Bcc fields of the compose page.

# Beside a suggestion that is not in the address book: someone written to before.
autocomplete-collected = written to before
# The list of suggestions, for screen readers.
autocomplete-label = Suggested recipients
# Announced to screen readers when the suggestions change.
autocomplete-results = { $count ->
    [0] No suggestions.
    [one] One suggestion. Use the up and down arrows to choose and Enter to insert it.
   *[other] { $count } suggestions. Use the up and down arrows to choose and Enter to insert one.
}
