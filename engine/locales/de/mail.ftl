# Die E-Mails, die ein Mandant erhält. Namen ($work, $group, $firm, $sender, $contact) sind die
# Worte der Kanzlei und bleiben, wie sie sie geschrieben hat.
mail-hello = Guten Tag { $contact },
mail-open-checklist = Meine Checkliste öffnen
mail-sender-at-firm = { $sender } von { $firm }
mail-due = fällig am { $date }
mail-was-due = war fällig am { $date }

request-subject = { $work }: { $group }
request-intro = { $who } benötigt einige Unterlagen von Ihnen für { $work } ({ $group }).
request-open = Öffnen Sie Ihre Checkliste, um Aufgaben abzuhaken, Dateien hochzuladen und Fragen zu stellen:
request-replaces = Diese E-Mail ersetzt die E-Mail vom { $date }; deren Link funktioniert nicht mehr.
request-own-link = Dieser Link gilt nur für Sie; bitte leiten Sie ihn nicht weiter.

reminder-subject = Erinnerung: { $work }: { $group }
reminder-intro = Eine Erinnerung von { $who }: Wir warten noch auf Folgendes für { $work } ({ $group }).
reminder-also-open = Außerdem noch offen:
reminder-open = Öffnen Sie Ihre Checkliste:

digest-subject = Neue Nachricht zu { $work }
digest-intro = { $firm } hat Ihnen zu { $work } geschrieben:
digest-open = Antworten Sie und sehen Sie Ihre Checkliste hier:
digest-button = Antworten und Checkliste ansehen
digest-accepted = Angenommen: „{ $task }“
digest-sent-back = Zur Überarbeitung zurückgegeben: „{ $task }“

access-subject = Ihr neuer Link: { $work }
access-intro = Sie haben einen neuen Link zu Ihrer Checkliste für { $work } ({ $group }) angefordert.
access-use-text = Öffnen Sie ihn auf dem Gerät, das Sie verwenden möchten:
access-use-html = Öffnen Sie ihn auf dem Gerät, das Sie verwenden möchten.
access-moves-text = Wenn Sie ihn auf diesem Gerät öffnen, zieht Ihre Checkliste hierher um; andere Geräte brauchen dann einen neuen Link.
access-moves-html = Wenn Sie ihn auf einem Gerät öffnen, zieht Ihre Checkliste dorthin um; andere Geräte brauchen dann einen neuen Link.
access-ignore = Wenn Sie diesen Link nicht angefordert haben, können Sie diese E-Mail ignorieren.

sign-in-subject = Anmelden bei { $firm }
sign-in-intro-text = Hier ist Ihr Link, um sich anzumelden und alle Anfragen von { $firm } zu sehen. Er funktioniert einmal, 15 Minuten lang:
sign-in-intro-html = Hier ist Ihr Link, um sich anzumelden und alle Anfragen von { $firm } zu sehen. Er funktioniert einmal, 15 Minuten lang.
sign-in-button = Anmelden
sign-in-ignore = Wenn Sie sich nicht anmelden wollten, können Sie diese E-Mail ignorieren; ohne diesen Link kann sich niemand anmelden.
