# Filters and the out-of-office reply: Sieve scripts on the ManageSieve server
# (Settings → Out of office, Settings → Filters, the banner on every page, expert mode).

## The banner on every page while the out-of-office reply is on

vacation-banner-on = Your out-of-office reply is on.
vacation-banner-until = Your out-of-office reply is on until { $end }.
vacation-banner-from = Your out-of-office reply starts on { $start }.
vacation-banner-later = Your out-of-office reply is set from { $start } to { $end }.
vacation-banner-change = Change
vacation-banner-off = Turn off

## Out of office

vacation-title = Out of office
vacation-intro = While you are away, everyone who writes to you gets this reply. It is sent by your mail server, so it works with Carteiro closed.
vacation-reply = Automatic reply
vacation-enabled = Send an automatic reply
vacation-start = First day (optional)
vacation-end = Last day (optional)
vacation-dates-help = Both days included. Leave them empty to reply from now on until you turn it off.
vacation-subject = Subject
vacation-subject-help = Left empty, the reply's subject is “Auto:” and the subject of the message it answers.
vacation-body = Message
vacation-addresses = Who it answers
vacation-addresses-help = Only messages sent to one of these addresses get a reply. Mailing lists and automatic messages never do.
vacation-from = Reply from
vacation-from-server = The address the message was sent to
vacation-days = Days between replies to the same sender
vacation-days-help = Someone who writes again within this many days gets no second reply.
vacation-saved = Out-of-office reply saved.
vacation-turned-off = Your out-of-office reply is off.
vacation-error-date = “{ $date }” is not a date. Write it like 2025-03-31.
vacation-error-days = “{ $days }” is not a number of days.

## Filters: forwarding and the list of rules

filters-title = Filters
filters-intro = Your mail server sorts new mail as it arrives, by these rules, in this order. Also on this server:
filters-running-ours = Carteiro's filters are the ones your mail server runs.
filters-running-other = Your mail server runs the script “{ $name }”, written by another program. Carteiro's filters do not run until you choose them instead.
filters-running-none = No filters run on your mail server yet: saving here turns them on.
filters-foreign = Carteiro's filter script was changed by hand or by another program, so it cannot be shown as rules here. Saving here starts again and keeps that script on the server under another name.
filters-expert-open = Open it in expert mode
filters-other-active = Your mail server runs the script “{ $name }”, written by another program.
filters-other-active-edit = Edit that script
filters-confirm-other = Your mail server now runs the script “{ $name }”. If you save, Carteiro's filters run instead and “{ $name }” stops running (it stays on the server, and you can edit it in expert mode).
filters-confirm-button = Save and run Carteiro's filters instead
filters-saved = Filters saved.
filters-kept = Saved. The script you had changed by hand is kept on the server as “{ $name }”.
forward-title = Forwarding
forward-enabled = Forward all my mail
forward-to = To
forward-keep-copy = Keep a copy here too
filters-rules = Rules
filters-no-rules = No rules yet.
filters-column-rule = Rule
filters-column-when = When a message arrives and
filters-column-then = Then
filters-rule-off = (off)
filters-up = Move up
filters-down = Move down
filters-disable = Turn off
filters-enable = Turn on
filters-delete = Delete
filters-add-rule = Add a rule
filters-edit-rule = Edit rule
filters-expert = Expert mode
filters-expert-help = the Sieve script itself, checked by your mail server before it is saved.

## One rule

filters-rule-name = Name
filters-rule-enabled = This rule is on
filters-rule-every-message = Every message
filters-conditions = When a message arrives
filters-match-all = and matches all of these
filters-match-any = and matches any of these
filters-conditions-help = Empty rows are left out; with none, the rule applies to every message. Sizes are written like 500K or 2M.
filters-condition-n = Condition { $number }
filters-field = Field
filters-header-name = Header name
filters-header-placeholder = Header, if “Other header”
filters-op = Comparison
filters-value = Value
filters-more-conditions = Another condition
filters-actions = Then
filters-actions-help = Actions run in this order. Choose a folder for “Move to” and “Copy to”, an address for “Forward to”.
filters-action-n = Action { $number }
filters-action = Action
filters-action-none = Choose an action
filters-folder = Folder
filters-folder-none = Choose a folder
filters-address = Address
filters-address-placeholder = Address, if “Forward to”
filters-more-actions = Another action
filter-field-from = From
filter-field-to = To or Cc
filter-field-subject = Subject
filter-field-list = Mailing list (List-Id)
filter-field-header = Other header
filter-field-size = Size
filter-op-contains = contains
filter-op-not-contains = does not contain
filter-op-is = is
filter-op-is-not = is not
filter-op-matches = matches (* and ?)
filter-op-over = is over
filter-op-under = is under
filter-action-move = Move to
filter-action-copy = Copy to
filter-action-read = Mark as read
filter-action-flag = Star
filter-action-forward = Forward to
filter-action-discard = Delete without a trace
filter-action-stop = Stop here (no later rules)
filter-summary-condition = { $field } { $op } “{ $value }”
filter-summary-and = and
filter-summary-or = or
filter-summary-every-message = every message

## Expert mode

filters-expert-ours = Carteiro's own script. Once you change it here, the Filters page can no longer show it as rules.
filters-expert-other = The script “{ $name }”, written by another program. Saving it does not change which script your mail server runs.
filters-scripts = Scripts on your mail server
filters-script-active = running
filters-script-text = Script “{ $name }”
filters-script-check = Check
filters-script-ok = Your mail server accepts this script.
filters-script-saved = Script saved.
filters-script-error-where = Where your mail server found the error:

## Errors

filters-not-offered = Your mail server offers no filters or out-of-office reply.
filters-error-unavailable = The filter server cannot be reached right now. Nothing was changed; try again in a moment.
filters-error-sign-in = The filter server did not accept your sign-in. Sign out and in again, then try again.
filters-error-quota = Your mail server has no room for this: { $reason }
filters-error-script-line = Line { $line }: { $reason }
filters-error-script = Your mail server refused the script: { $reason }
filters-error-server = Your mail server refused: { $reason }
filters-error-changed = Your filters were changed elsewhere in the meantime. Look at them again before changing them.
filters-error-no-such-script = There is no such script on your mail server.
filters-error-invalid = Something in these filters cannot be saved.
filters-error-no-action = Choose at least one action.
filters-error-unsupported = Your mail server cannot do this: it lacks the Sieve extension “{ $extension }”. Nothing was changed.

## Elsewhere

message-filter-like = Filter messages like this
settings-incoming = Incoming mail
settings-vacation-help = an automatic reply while you are away.
settings-filters-help = sort, forward or delete new mail as it arrives.

## What the checks found, shown as “where: what”

filters-problem = { $place }: { $what }
filters-place-filters = Your filters
filters-place-forward = Forwarding address
filters-place-vacation-start = First day
filters-place-vacation-end = Last day
filters-place-vacation-subject = Subject
filters-place-vacation-body = Message
filters-place-vacation-addresses = Who it answers
filters-place-vacation-from = Reply from
filters-place-vacation-days = Days between replies
filters-place-rule-name = Name
filters-place-rule-conditions = Conditions
filters-place-rule-condition = Condition { $number }
filters-place-rule-actions = Actions
filters-place-rule-action = Action { $number }
filters-problem-empty = this cannot be empty.
filters-problem-too-long = too long (at most { $max } characters).
filters-problem-too-many = too many (at most { $max }).
filters-problem-control-character = it holds a character that cannot be used here (such as a line break).
filters-problem-not-an-address = not an e-mail address. Write it like ana@example.com.
filters-problem-not-a-mailbox = not an e-mail address. Write it like Ana Silva <ana@example.com>.
filters-problem-not-a-header-name = not a header name (letters, digits and dashes, like X-Spam-Flag).
filters-problem-not-a-size = not a size. Write it like 500K or 2M.
filters-problem-wrong-operator = this comparison does not go with this field (“is over” and “is under” are for the size only).
filters-problem-days-out-of-range = choose between { $min } and { $max } days.
filters-problem-end-before-start = the last day is before the first day.
filters-problem-after-stop = nothing after “Stop here” would ever run.
filters-problem-too-large = your filters would be too large (at most { $max } KB). Remove some rules first.
