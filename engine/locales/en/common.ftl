# Words every client-facing text shares: the language's own name (the portal's footer lists
# it), dates, sizes and quoting. Weekdays are numbered from Monday (1), months from January (1).
language-name = English

# "Thursday 30 April 2026"
date-long = { $weekday } { $day } { $month } { $year }
# "30 April 2026"
date-short = { $day } { $month } { $year }
# "30 April 2026, 10:15"
date-time = { $date }, { $time }

weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

# A size; $number is already written with this language's decimal mark.
size-mib = { $number } MB
size-kib = { $number } KB
size-bytes = { $number } bytes
decimal-mark = .
thousands-mark = ,

# A name quoted in running text.
quoted = "{ $text }"

# A reply by email from someone other than the contact, attached by staff: the comment opens so.
reply-from-other = Email from { $address }:
