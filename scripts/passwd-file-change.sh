#!/usr/bin/env bash
# Changes a password in a Dovecot passwd-file: Carteiro's password_command for servers whose
# accounts are kept in one (and what the test suite runs against the stack's Dovecot).
#
#   passwd-file-change.sh [--scheme SCHEME] FILE         change: reads 3 lines on stdin
#   passwd-file-change.sh [--scheme SCHEME] --add FILE   add an account: reads 2 lines
#   passwd-file-change.sh --remove FILE                  remove an account: reads 1 line
#
# Configure Carteiro with, for example,
#   CARTEIRO_PASSWORD_COMMAND="/usr/local/bin/passwd-file-change.sh /etc/dovecot/users"
#
# Input (Carteiro's contract, see README "Changing passwords"): the login, the current
# password and the new password, one per line, UTF-8. Passwords never appear on a command
# line: the new one reaches `doveadm pw` on its standard input, and the hash reaches awk
# through its environment (readable by root and this user only, unlike a command line).
#
# Exit status: 0 changed; 1 no such account (or a login that cannot be in the file); 2 the
# new password cannot be stored (empty); 3 anything else (no lock, doveadm failed, I/O).
#
# The current password is not checked here: Carteiro has just checked it with a fresh IMAP
# login, and `doveadm pw -t` would need the stored hash on its command line. Logins are
# compared in lower case, as Dovecot's username_format=%Lu does. The file is rewritten
# atomically (a temporary file in the same directory, with the file's owner and mode, then
# renamed over it), under a lock on its directory, so concurrent changes never lose one
# another and Dovecot never reads half a file; and never in the second of the previous
# change (see below), so Dovecot always notices it, within a second.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
umask 077

scheme=SHA512-CRYPT
mode=change
while [ $# -gt 0 ]; do
    case $1 in
        --scheme) scheme=${2:?--scheme needs a value}; shift 2 ;;
        --add) mode=add; shift ;;
        --remove) mode=remove; shift ;;
        --) shift; break ;;
        -*) echo "passwd-file-change.sh: unknown option $1" >&2; exit 3 ;;
        *) break ;;
    esac
done
file=${1:?usage: passwd-file-change.sh [--scheme SCHEME] [--add|--remove] FILE}
[ -f "$file" ] || { echo "passwd-file-change.sh: $file is not a file" >&2; exit 3; }

IFS= read -r login || exit 3
password=
case $mode in
    change) IFS= read -r _current || exit 3; IFS= read -r password || exit 3 ;;
    add) IFS= read -r password || exit 3 ;;
esac
login=${login,,}
# A passwd-file line is "user:password:…": a colon (or nothing) cannot be a user name.
case $login in ''|*:*) exit 1 ;; esac
if [ "$mode" != remove ] && [ -z "$password" ]; then
    exit 2
fi

hash=
if [ "$mode" != remove ]; then
    # doveadm asks twice when it reads a new password; without a terminal it reads stdin.
    hash=$(printf '%s\n%s\n' "$password" "$password" | doveadm -O pw -s "$scheme" 2>/dev/null) || exit 3
    case $hash in '{'*) ;; *) exit 3 ;; esac
fi
unset password _current

exec 9<"$(dirname "$file")"
flock -w 10 9 || exit 3

has_login() { LOGIN=$login awk -F: '$1 == ENVIRON["LOGIN"] { found = 1 } END { exit !found }' "$file"; }
case $mode in
    change|remove) has_login || exit 1 ;;
    add) has_login && exit 1 ;;
esac

# Dovecot notices a changed passwd-file by its modification time, in whole seconds, and its
# size (looking at most once a second). A change in the same second as the previous one
# that keeps the size (a new hash of the same length) would go unnoticed for good: the new
# file is written (and so stamped) only once the clock has passed the old file's second; the
# rename keeps that stamp.
old_mtime=$(stat -c %Y "$file")
while [ "$(date +%s)" -le "$old_mtime" ]; do sleep 0.1; done
tmp=$(mktemp "$file.XXXXXX")
trap 'rm -f "$tmp"' EXIT
case $mode in
    change)
        # Only the password field of the login's line changes; the rest stays as it was.
        LOGIN=$login HASH=$hash awk -F: -v OFS=: \
            '$1 == ENVIRON["LOGIN"] { $2 = ENVIRON["HASH"] } { print }' "$file" > "$tmp" ;;
    add)
        cat "$file" > "$tmp"
        printf '%s:%s::::::\n' "$login" "$hash" >> "$tmp" ;;
    remove)
        LOGIN=$login awk -F: '$1 != ENVIRON["LOGIN"]' "$file" > "$tmp" ;;
esac
chown --reference="$file" "$tmp"
chmod --reference="$file" "$tmp"
mv -f "$tmp" "$file"
trap - EXIT
