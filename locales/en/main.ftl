# Carteiro in English (the fallback language).
#
# Every message here must exist in every other language's file too: `cargo test --lib i18n`
# fails when one is missing or extra. See the README, "Languages", to add a language.

## The language itself

# The language's own name, in the Settings language list.
language-name = English

## Numbers, sizes, dates

# Written between the whole part and the fraction: 1.5 MB.
number-decimal-separator = .
# Written between groups of three digits: 10,000.
number-group-separator = ,

# $value is already written with the separators above.
size-bytes = { $value } B
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB

# Dates in message lists. $hour and $minute have two digits (24-hour clock); $day is the
# day of the month, $month its number (1–12), $year four digits; $day2 and $month2 are
# $day and $month with two digits (07, 03).
date-today = { $hour }:{ $minute }
date-yesterday = Yesterday
date-this-year = { $day } { date-month }
date-other-year = { $day } { date-month } { $year }
# The full date on a message's page and in quoted replies.
date-full = { $day } { date-month } { $year } { $hour }:{ $minute }

# The month's short name, used by the messages above (they see its $month).
date-month =
    { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    }

## Every page

skip-to-content = Skip to content
nav-write = Write
nav-settings = Settings
nav-mail-apps = Mail apps
nav-sign-out = Sign out
nav-folders = Folders
nav-manage-folders = Manage folders
# The unread count next to a folder, for screen readers.
folder-unread = { $count } unread

# Folders with a special use, shown with these names instead of the server's.
role-inbox = Inbox
role-drafts = Drafts
role-sent = Sent
role-archive = Archive
role-junk = Junk
role-trash = Trash

## Signing in

login-title = Sign in
login-tagline = Your mail, in the browser.
login-username = E-mail address or username
login-password = Password
login-submit = Sign in
login-signed-out = You have signed out.
login-error-missing = Enter your e-mail address (or username) and your password.
login-error-wrong = Wrong username or password. Check them and try again.
login-error-throttled =
    Too many failed sign-in attempts. Wait { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    } and try again.
login-error-busy = Carteiro is very busy right now. Please try again in a moment.
login-error-unavailable = The mail server cannot be reached right now. Please try again in a moment.
login-error-domain = There is no mail service for “{ $domain }” here. Check the part of your address after the @.
login-error-need-domain = Enter your full e-mail address, such as ana@example.com.

## Error pages

error-title-bad-request = That request could not be understood
error-title-forbidden = Request refused
error-title-not-found = Not found
error-title-slow = Request too slow
error-title-too-large = Too large
error-title-unavailable = Mail server unavailable
error-title-server = Something went wrong
error-title-other = Request failed
error-go-home = Go to your inbox
error-status = Error { $status }

error-not-found = This page, folder or message does not exist (it may have been moved or deleted).
error-login-required = Please sign in.
error-forbidden = This request did not come from a Carteiro page and was refused. Reload the page and try again.
error-slow = Your request stopped arriving part-way and was cancelled. Check your connection and try again.
error-unavailable = The mail server cannot be reached right now. Your mail is safe on the server; please try again in a moment.
error-timeout = The mail server took too long to answer. Your mail is safe on the server; please try again in a moment.
error-busy = Carteiro is very busy right now. Please try again in a moment.
error-internal = Something went wrong on our side. Please try again; if it keeps happening, tell your administrator.
error-invalid-request = The address or form data was not valid. Go back and try again.
error-method = This address does not accept that kind of request.
error-too-large = What you sent is larger than Carteiro accepts.
# $role is the folder's special use: inbox, drafts, sent, archive, junk or trash.
error-no-role-folder =
    Your mailbox has no { $role ->
        [drafts] Drafts
        [sent] Sent
        [archive] Archive
        [junk] Junk
        [trash] Trash
       *[inbox] Inbox
    } folder; ask your administrator to create one.
error-page-number = That page number is not valid.
# $reason is the mail server's own words.
error-search-refused = This search cannot be done: { $reason }.
error-search-date = This search cannot be done: “{ $date }” is not a date (use YYYY-MM-DD).
error-search-text = This search cannot be done: this mail server cannot search for accented or non-Latin text.
error-no-settings = The settings could not be saved: this mail server cannot store settings.

## Message lists

list-search-results = search results
list-range = { $first }–{ $last } of { $total }
list-range-conversations = { $first }–{ $last } of { $total } conversations
list-show-messages = Show messages
list-show-conversations = Show conversations
list-empty = No messages here.
list-empty-search = No messages match this search.
list-actions = Actions on the ticked messages
list-move-or-copy-to = Move or copy to…
list-select-page = All on this page
list-select-folder = All { $total } in this folder
list-empty-folder = Empty { $folder }
list-caption = Messages in { $folder }, newest first
list-column-select = Select
list-column-state = State
list-column-from = From
list-column-subject = Subject
list-column-date = Date
list-column-size = Size
list-select-message = Select { $subject }
list-unread = Unread
list-flagged = Flagged
list-answered = Answered
list-has-attachments = Has attachments
list-conversation-count = { $count } messages in this conversation
# Who a message in Sent or Drafts went to.
list-to = To: { $names }
list-unknown-sender = (unknown sender)
no-subject = (no subject)
list-undo = Undo
pager = Pages
pager-newer = ← Newer
pager-older = Older →
pager-page = Page { $page } of { $pages }

## Searching

search-in = Search in { $folder }
search-button = Search
search-all-folders = Search all folders
search-clear = Clear
search-advanced = Advanced
search-from = From
search-to = To
search-subject = Subject
search-text = Text
search-since = From date
search-until = To date
search-unread = Unread only
search-flagged = Starred only
search-attachment = With attachments
search-title = Search
search-found = { $count } found.
search-more = All { $count } in { $folder } →

## Acting on messages

action-mark-read = Mark read
action-mark-unread = Mark unread
action-star = Star
action-unstar = Unstar
action-archive = Archive
action-junk = Junk
action-not-junk = Not junk
action-delete = Delete
action-delete-forever = Delete for good
action-folder = Folder
action-move = Move
action-copy = Copy

# What an action just did. $count is how many messages; $folder where they went.
notice-read =
    Marked { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } as read.
notice-unread =
    Marked { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } as unread.
notice-flagged =
    Starred { $count ->
        [one] { $count } message
       *[other] { $count } messages
    }.
notice-unflagged =
    Removed the star from { $count ->
        [one] { $count } message
       *[other] { $count } messages
    }.
notice-archived =
    Archived { $count ->
        [one] { $count } message
       *[other] { $count } messages
    }.
notice-junked =
    Moved { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } to Junk.
notice-notjunk =
    Moved { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } back to the Inbox.
notice-moved =
    Moved { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } to { $folder }.
notice-copied =
    Copied { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } to { $folder }.
notice-trashed =
    Moved { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } to Trash.
notice-deleted =
    Deleted { $count ->
        [one] { $count } message
       *[other] { $count } messages
    } for good.

confirm-title = Confirm
confirm-heading = Are you sure?
confirm-delete-all =
    { $count ->
        [one] Delete the only message in { $folder } for good? This cannot be undone.
       *[other] Delete all { $count } messages in { $folder } for good? This cannot be undone.
    }
confirm-delete-selected =
    { $count ->
        [one] Delete this message for good? This cannot be undone.
       *[other] Delete these { $count } messages for good? This cannot be undone.
    }
cancel = Cancel

error-selection = That selection is not valid.
error-select-first = Select at least one message first (tick the boxes in the list).
error-only-trash-emptied = Only Trash and Junk can be emptied.
error-choose-action = Choose an action.
error-choose-target = Choose the folder to move or copy to.

## Reading a message

message-back = Back to { $folder }
message-actions = Actions on this message
message-move-to = Move to…
message-reply-and-forward = Reply and forward
message-reply = Reply
message-reply-all = Reply all
message-forward = Forward
message-forward-attached = Forward as attachment
header-from = From
header-to = To
header-cc = Cc
header-reply-to = Reply-To
header-date = Date
header-subject = Subject
message-unreadable = This message could not be read.
message-unreadable-source = Show its source
message-unreadable-parts = Its parts can still be downloaded below.
message-truncated = This message is large ({ $size }); only its beginning is shown. Its attachments are listed in full below.
message-images-blocked = Remote images were blocked to protect your privacy.
message-show-images = Show images
message-body = Message body
message-no-text = This message has no text.
message-conversation = Conversation ({ $count })
message-attachments = Attachments ({ $count })
message-view-source = View source
message-download = Download (.eml)
address-in-ascii = The address in plain letters
address-look-alike = Careful: this domain imitates another with look-alike letters

## Writing

compose-title = Write
compose-new = New message
compose-reply = Reply
compose-forward = Forward
compose-to = To
compose-cc = Cc
compose-bcc = Bcc
compose-subject = Subject
compose-body = Message
compose-attachments = Attachments
compose-attachments-limit = (up to { $size } in all)
compose-untick = Untick an attachment to remove it.
compose-add-files = Add files
compose-send = Send
compose-save = Save draft
compose-draft-saved = Draft saved.
compose-sent = Message sent.
compose-kept-in-drafts = Your message was saved in Drafts, attachments included.
# $field is the header the address was typed in: to, cc or bcc.
compose-error-address =
    “{ $address }” in { $field ->
        [cc] Cc
        [bcc] Bcc
       *[to] To
    } is not an e-mail address. Correct it and send again.
compose-error-no-recipient = Add at least one recipient.
compose-error-build = The message could not be built: { $reason }
compose-error-upload-too-large = The attachments are larger than Carteiro accepts. Nothing was sent; go back and remove some.
compose-error-form = The form could not be read. Go back and try again.
compose-error-too-large = The attachments come to more than { $limit } in all, so these did not fit: { $names }. Nothing was sent or saved: remove some, and choose again any file you had just added.
compose-error-too-many-kept = A message can keep at most { $count } attachments. Nothing was sent or saved: untick some, and choose again any file you had just added.
compose-error-draft-too-large = The draft is too large to save ({ $size }; the limit is { $limit }). Nothing was saved: shorten it or remove some attachments.
send-error-too-large = The message is too large to send ({ $size }; the limit is { $limit }). Remove or shrink some attachments.
# $reason is the mail server's own words.
send-error-login = The mail server did not accept your login for sending: { $reason }
send-error-refused = The mail server refused the message: { $reason }
send-error-unavailable = The mail server for sending cannot be reached right now. Try again in a moment.
# Written into the message above the quoted text of a reply.
compose-quote-intro = On { $date }, { $name } wrote:
# Written into the message above a forwarded one.
compose-forwarded = ---------- Forwarded message ----------

## Folders

folders-title = Folders
folders-created = Folder “{ $name }” created.
folders-renamed = Folder renamed to “{ $name }”.
folders-deleted = Folder “{ $name }” deleted.
folders-subscribed = “{ $name }” now shows in the folder list.
folders-unsubscribed = “{ $name }” is hidden from the folder list.
folders-quota = Using { $used } of { $limit } ({ $percent }%).
folders-confirm-delete = Delete the folder “{ $name }” and every message in it? This cannot be undone.
folders-delete-folder = Delete folder
folders-caption = All folders
folders-column-folder = Folder
folders-column-messages = Messages
folders-column-shown = Shown
folders-column-rename = Rename
folders-column-delete = Delete
folders-hide = Hide
folders-show = Show
folders-new-name-for = New name for { $name }
folders-rename = Rename
folders-delete = Delete
folders-new = New folder
folders-name = Name
folders-inside = Inside
folders-top-level = (top level)
folders-create = Create
folders-error-rename-protected = INBOX and the special folders cannot be renamed.
folders-error-delete-protected = INBOX and the special folders cannot be deleted.
folders-error-inbox-shown = INBOX is always shown.
folders-error-choose = Choose what to do with the folder.
# $reason is the mail server's own words.
folders-error-refused = The mail server refused: { $reason }
folders-error-no-name = Give the folder a name.
folders-error-name-too-long = A folder name must be one line of at most 200 characters.

## Mail apps

apps-title = Use your mail in an app
apps-intro = Your mail can also be read and sent with a mail app on your computer or phone, such as Thunderbird, Outlook or Apple Mail. The app and this webmail show the same mailbox.
apps-user-name = User name
apps-password = Password
apps-password-value = the same as for this webmail, { $product }
apps-authentication = Authentication
apps-authentication-value = normal password
apps-incoming = Incoming mail
apps-incoming-servers = Servers for incoming mail
apps-outgoing = Outgoing mail
apps-outgoing-servers = Servers for outgoing mail
apps-column-protocol = Protocol
apps-column-server = Server
apps-column-port = Port
apps-column-security = Security
apps-pop3-note = IMAP keeps your folders the same in every app. POP3 only downloads the inbox: set the app to leave messages on the server, or they disappear from here.
apps-several = Where a protocol has several servers, use the first; the others are for networks where the first does not work.
apps-automatic = Setting up automatically
apps-automatic-text = Thunderbird and Outlook may find these settings by themselves when you enter your e-mail address and password, if your provider has set that up.
# One sentence around a link: apps-profile-devices, then the link (apps-profile-link),
# then apps-profile-steps right after it (hence its leading comma).
apps-profile-devices = iPhone, iPad and Mac:
apps-profile-link = download the settings profile
apps-profile-steps = , open it and install it (on iPhone and iPad in Settings, under “Profile Downloaded”). It does not contain your password: you will be asked for it.
apps-not-configured = Your administrator has not said which servers mail apps should use.

## Settings

reader-pane = Reading pane
reader-pane-empty = Select a message to read it here.
settings-title = Settings
settings-saved = Settings saved.
settings-save = Save
settings-signature = Signature
settings-signature-help = Added below new messages, replies and forwards. Stored on your mail server, so it follows you to every device.
settings-language = Language
settings-language-automatic = Automatic (your browser's language)
settings-language-help = Stored on your mail server, so it follows you to every device.
# $reason is the mail server's own words.
settings-error-not-saved = The settings could not be saved: { $reason }
settings-theme = Theme
settings-theme-auto = Automatic (like your system)
settings-theme-light = Light
settings-theme-dark = Dark
settings-page-size = Messages per page
settings-display-name = Your name
settings-display-name-help = Shown to the people you write to, before your address.
settings-known-images = Show images in mail from people I have written to
settings-known-images-help = Other mail still asks first. Images can tell the sender when you read a message.
settings-appearance = Appearance
settings-reading = Reading
settings-writing = Writing

## Enhancements (app.js): shortcuts, live updates, upload progress

compose-uploading = Uploading…
shortcuts-title = Keyboard shortcuts
shortcuts-intro = With JavaScript on, these keys work anywhere except while you type in a field.
shortcut-next-previous = Next / previous message (in a list: move the cursor)
shortcut-open = Open the message under the cursor
shortcut-back = Back to the list
shortcut-compose = Write a message
shortcut-reply = Reply
shortcut-reply-all = Reply to all
shortcut-forward = Forward
shortcut-archive = Archive
shortcut-delete = Delete
shortcut-star = Star or unstar
shortcut-search = Search
shortcut-inbox = Go to the inbox
shortcut-help = Show this help
shortcut-close = Close this help
shortcuts-mouse = Shift-click a checkbox to tick every message up to it; drag messages onto a folder to move them there.
shortcuts-close = Close
notify-button = Notify me of new mail
notify-on = You will be notified of new mail while Carteiro is open.
notify-blocked = This browser blocks notifications from Carteiro.
# $count is how many messages arrived.
notify-new-mail = New mail in your inbox: { $count }
compose-files-too-large = The chosen files are larger than the limit above. Remove some and try again.

## Changing the password

password-title = Change password
settings-password = Change password
settings-password-help = the password you sign in with, here and in your mail apps.
password-current = Current password
password-new = New password
password-repeat = New password again
# $min is the fewest characters allowed.
password-rules = At least { $min } characters, five of them different; not your e-mail address or username, not your current password, and not one of the most common passwords. A few words together make a password that is long and easy to remember.
password-submit = Change password
password-changed = Your password has been changed. You are still signed in here; your mail apps and other devices will ask for the new one.
password-elsewhere = Your password is not changed in Carteiro: your e-mail provider changes it in another place, such as its control panel. Ask them how.
password-error-missing = Fill in all three fields.
password-error-mismatch = The new password and its repetition are not the same. Type them again.
# $min is the fewest characters allowed.
password-error-too-short = The new password needs at least { $min } characters.
# $max is the most characters allowed.
password-error-too-long = The new password can have at most { $max } characters.
password-error-control = The new password cannot contain line breaks or other invisible characters.
password-error-login = The new password cannot be your e-mail address or username, with or without digits or symbols.
password-error-current = The new password must be different from the current one.
# $min is how many different characters are needed.
password-error-few-distinct = The new password needs at least { $min } different characters.
password-error-common = That password is one of the most common ones, which are tried first. Choose another.
password-error-throttled =
    Too many wrong current passwords. Wait { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    } and try again.
password-error-wrong-current = The current password is not right. Check it and try again.
password-error-backend-current = The server that keeps passwords did not accept your current password, so it was not changed. Please tell your e-mail provider.
password-error-backend-new = The server that keeps passwords refused the new password by its own rules. Choose another.
password-error-unavailable = Your password could not be changed right now, and it is still the old one. Please try again in a moment.
