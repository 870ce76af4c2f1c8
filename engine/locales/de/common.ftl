# Wörter, die alle Texte für Mandanten teilen: der Name der Sprache, Datumsangaben, Größen und
# Anführungszeichen. Wochentage sind ab Montag (1) nummeriert, Monate ab Januar (1).
language-name = Deutsch

# „Donnerstag, 30. April 2026“
date-long = { $weekday }, { $day }. { $month } { $year }
# „30. April 2026“
date-short = { $day }. { $month } { $year }
# „30. April 2026, 10:15 Uhr“
date-time = { $date }, { $time } Uhr

weekday-1 = Montag
weekday-2 = Dienstag
weekday-3 = Mittwoch
weekday-4 = Donnerstag
weekday-5 = Freitag
weekday-6 = Samstag
weekday-7 = Sonntag

month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

size-mib = { $number } MB
size-kib = { $number } KB
size-bytes = { $number } Byte
decimal-mark = ,
thousands-mark = .

quoted = „{ $text }“

# Antwort per E-Mail von jemand anderem als dem Kontakt, vom Büro zugeordnet.
reply-from-other = E-Mail von { $address }:
