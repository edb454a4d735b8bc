# The address book: list, search, add, edit, delete, import and export.
nav-contacts = Address book
contacts-title = Address book
contacts-add = Add a contact
contacts-search = Search contacts
contacts-search-button = Search
contacts-search-clear = Show all
contacts-empty = Your address book is empty. Add a contact, import a .vcf file, or add the sender of a message from the message itself.
contacts-none-found = No contact matches “{ $query }”.
contacts-count =
    { $count ->
        [one] { $count } contact.
       *[other] { $count } contacts.
    }
contacts-found =
    { $count ->
        [one] { $count } contact found
       *[other] { $count } contacts found
    } of { $total }.
contacts-caption = Your contacts
contacts-column-name = Name
contacts-column-emails = Email addresses
contacts-column-phones = Phones
contacts-column-organization = Organization
contacts-write-to = Write to { $address }
contacts-back = Back to the address book
# What was just done; $name is the contact's name or address.
contacts-added = { $name } was added to your address book.
contacts-saved = Your changes to { $name } were saved.
contacts-deleted = { $name } was deleted from your address book.

contacts-transfer = Import and export
contacts-import-file = vCard file (.vcf)
contacts-import = Import
contacts-import-help = A .vcf file from another address book (vCard 3 or 4), up to { $size }. Contacts already here are not added twice.
contacts-export = Download all contacts (contacts.vcf)
contacts-import-title = Import contacts
contacts-export-title = Export contacts
contacts-import-added =
    { $count ->
        [0] No contact was added.
        [one] { $count } contact was added.
       *[other] { $count } contacts were added.
    }
contacts-import-skipped =
    { $count ->
        [one] { $count } entry of the file was skipped:
       *[other] { $count } entries of the file were skipped:
    }
contacts-import-skipped-caption = Entries not imported
contacts-import-column-entry = Entry
contacts-import-column-what = Contact
contacts-import-column-reason = Reason
contacts-import-more =
    { $count ->
        [one] …and { $count } more entry.
       *[other] …and { $count } more entries.
    }
contacts-import-too-large = The file is too large to import.
contacts-import-unreadable = The upload could not be read. Please try again.
contacts-import-no-file = Choose a .vcf file to import.
contacts-skip-malformed = Not a vCard that can be read.
contacts-skip-empty = Neither a name nor an email address.
contacts-skip-too-large = Too large for one contact.
contacts-skip-too-many = Too many entries in one file; import the rest from another file.
contacts-skip-already-there = Already in your address book.
contacts-skip-not-saved = Not saved: the contacts server stopped answering. Import the file again to add it.

contact-new-title = New contact
contact-edit-title = Edit contact
contact-name = Name
contact-emails = Email addresses
contact-phones = Phone numbers
contact-one-per-line = One per line.
contact-organization = Organization
contact-note = Note
contact-save = Save contact
contact-delete = Delete contact
contact-confirm-delete = Delete { $name } from your address book? This cannot be undone.
contact-delete-confirmed = Delete
contact-already = { $name } is already in your address book with this address.
contact-already-open = Open the contact
message-add-to-contacts = Add to contacts

contacts-error-empty = Give the contact a name or an email address.
contacts-error-address = “{ $address }” is not an email address. Nothing was saved; correct it and save again.
contacts-error-unavailable = The contacts server cannot be reached right now. Nothing was lost: please try again in a moment.
contacts-error-refused = The contacts server refused: { $reason }. Nothing was saved.
contacts-error-auth = The contacts server did not accept your login. Nothing was saved; ask your provider if this goes on.
contacts-error-not-found = This contact is no longer in your address book.
contacts-error-conflict = This contact was changed elsewhere meanwhile. Open it again to see the changes.
contacts-error-protocol = The contacts server answered something Carteiro could not read. Nothing was saved; please try again later.
