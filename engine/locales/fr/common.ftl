# Les mots que partagent tous les textes destinés aux clients : le nom de la langue, les dates,
# les tailles et les guillemets. Les jours sont numérotés à partir du lundi (1), les mois à
# partir de janvier (1).
language-name = Français

# « jeudi 30 avril 2026 », « vendredi 1er mai 2026 »
date-long = { $weekday } { $day ->
    [1] 1er
   *[other] { $day }
} { $month } { $year }
# « 30 avril 2026 »
date-short = { $day ->
    [1] 1er
   *[other] { $day }
} { $month } { $year }
# « 30 avril 2026 à 10:15 »
date-time = { $date } à { $time }

weekday-1 = lundi
weekday-2 = mardi
weekday-3 = mercredi
weekday-4 = jeudi
weekday-5 = vendredi
weekday-6 = samedi
weekday-7 = dimanche

month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

size-mib = { $number } Mo
size-kib = { $number } Ko
size-bytes = { $number } octets
decimal-mark = ,
# A narrow no-break space, as French writes "10 000".
thousands-mark = { "\u202F" }

quoted = « { $text } »

# Réponse par e-mail d’une autre personne que le contact, rattachée par le cabinet.
reply-from-other = E-mail de { $address } :
