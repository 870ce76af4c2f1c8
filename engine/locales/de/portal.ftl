# Die Seiten des Mandantenportals. Namen ($firm, $work, $group, $contact, $title) sind die Worte
# der Kanzlei und bleiben, wie sie sie geschrieben hat.
portal-skip = Zum Inhalt springen
portal-sign-in-link = Anmelden, um alle Ihre Anfragen zu sehen
portal-sent-through = Kundenportal von { $firm }.
portal-language = Sprache:

checklist-for = für { $contact }
checklist-preview = Eine Vorschau für die Kanzlei: So sieht es { $contact }, ohne die Schaltflächen zum Abhaken, Hochladen oder Kommentieren.
checklist-preview-back = Zurück zum Auftrag
checklist-locked = Diese Anfrage ist abgeschlossen. Sie können sie und ihre Dokumente lesen, aber nichts mehr ändern.
checklist-progress = { $done } von { $total } { $total ->
        [one] Aufgabe
       *[other] Aufgaben
    } erledigt
checklist-notice-done = Als erledigt markiert. Vielen Dank!
checklist-notice-uploaded = Datei hochgeladen. Vielen Dank!
checklist-notice-commented = Kommentar gesendet.
checklist-notice-language = Ihre Sprache ist gespeichert; auch unsere nächsten E-Mails an Sie verwenden sie.
task-done = Erledigt
task-due = Fällig am { $date }
task-overdue = überfällig
task-sent-back = { $firm } hat dies zurückgegeben:
task-accepted = Angenommen von { $firm }.
task-documents = Dokumente von { $firm }
task-your-files = Ihre Dateien
task-comments = Kommentare
task-mark-done = „{ $title }“ als erledigt markieren
task-upload-label = Eine Datei für „{ $title }“ hochladen
task-upload-limit = (bis zu { $size })
task-upload = Hochladen
task-comment-label = Kommentar oder Frage zu „{ $title }“
task-send-comment = Kommentar senden
checklist-messages = Nachrichten von { $firm }
review-waiting = Noch nicht angesehen
review-accepted = Angenommen
review-sent-back = Zurückgegeben

landing-complete = Diese Anfrage ist abgeschlossen.
landing-complete-more = Wir brauchen nichts mehr von Ihnen; Sie können Ihre Checkliste weiterhin öffnen, um zu sehen, was Sie gesendet haben.
landing-asked = { $firm } bittet Sie um einige Unterlagen: { $group }.
landing-view = Meine Checkliste ansehen
landing-open = Meine Checkliste öffnen
landing-hint = Dieser Link gilt nur für Sie. Wenn Sie Ihre Checkliste öffnen, bleibt sie auf diesem Gerät; ein anderes Gerät braucht einen neuen Link, den wir Ihnen per E-Mail senden.

account-title = Ihre Anfragen
account-signed-in-as = Angemeldet als { $contact } ({ $email }).
account-open = Offen
account-to-do = { $count } zu erledigen
account-all-done = alles erledigt
account-nothing-waiting = Es wartet nichts auf Sie.
account-completed = Abgeschlossen
account-none-completed = Noch keine abgeschlossenen Anfragen.
account-sign-out = Abmelden

sign-in-title = Anmelden
sign-in-heading = Anmelden, um alle Ihre Anfragen zu sehen
sign-in-explain = Geben Sie die E-Mail-Adresse ein, an die { $firm } Ihnen schreibt. Wir senden Ihnen einen Anmeldelink; er funktioniert einmal, 15 Minuten lang.
sign-in-email = Ihre E-Mail-Adresse
sign-in-send = Anmeldelink per E-Mail senden
sign-in-press = Drücken Sie die Schaltfläche, um sich auf diesem Gerät anzumelden.

page-invalid-link = Dieser Link ist ungültig
page-invalid-link-why = Prüfen Sie, ob Sie den vollständigen Link aus Ihrer E-Mail geöffnet haben. Wenn er weiterhin nicht funktioniert, antworten Sie auf diese E-Mail und bitten Sie um einen neuen.
page-not-here = Wir können diese Checkliste hier nicht öffnen
page-not-here-why = Öffnen Sie den Link aus der neuesten E-Mail, die wir Ihnen gesendet haben, auf diesem Gerät. Ist dieser Link abgelaufen, bietet seine Seite an, Ihnen einen neuen zu senden.
page-not-here-account = Wenn Sie ein Mandantenkonto haben, können Sie sich auch dort anmelden.
page-sign-in-account = Bei Ihrem Konto anmelden
page-reassigned = Diese Anfrage ging an jemand anderen
page-reassigned-why = { $firm } hat jemand anderen um diese Unterlagen gebeten; dieser Link und dieses Gerät öffnen sie daher nicht mehr.
page-reassigned-mistake = Wenn Sie das für einen Fehler halten, antworten Sie auf die letzte E-Mail, die wir Ihnen gesendet haben.
page-trouble = Etwas ist schiefgelaufen
page-trouble-why = Das konnten wir gerade nicht tun. Bitte versuchen Sie es in einer Minute erneut.
page-cannot = Das war nicht möglich
page-back-checklist = Zurück zu meiner Checkliste
page-replaced = Dieser Link wurde ersetzt
page-replaced-why = Dieser Link wurde durch einen neueren ersetzt, den wir Ihnen gesendet haben.
page-expired = Dieser Link ist abgelaufen
page-expired-why = Dieser Link ist abgelaufen.
page-fresh-link = Wir können einen neuen Link an die Adresse senden, die wir von Ihnen haben.
page-send-new-link = Neuen Zugangslink senden
page-other-device = Diese Checkliste ist auf einem anderen Gerät geöffnet
page-other-device-why = Zu Ihrer Sicherheit öffnet sich eine Checkliste immer nur auf einem Gerät.
page-other-device-new = Wir können einen neuen Link an die Adresse senden, die wir von Ihnen haben; wenn Sie ihn auf diesem Gerät öffnen, zieht Ihre Checkliste hierher um.
page-complete = Diese Anfrage ist abgeschlossen
page-complete-name = „{ $work }“ ist abgeschlossen.
page-complete-why = Wir brauchen nichts mehr von Ihnen und haben daher keinen neuen Link gesendet. Wenn Sie etwas brauchen, antworten Sie auf die letzte E-Mail, die wir Ihnen gesendet haben.
page-check-email = Sehen Sie in Ihre E-Mails
page-new-link-sent = Wir haben einen neuen Link an die Adresse gesendet, die wir von Ihnen haben. Es kann eine Minute dauern, bis er ankommt.
page-new-link-use = Öffnen Sie ihn auf dem Gerät, das Sie verwenden möchten.
page-wait = Bitte warten Sie etwas
page-new-link-limited = Wir haben kürzlich mehrere neue Links gesendet. Bitte verwenden Sie die neueste E-Mail oder versuchen Sie es in einer Stunde erneut.
page-sign-in-sent = Wenn wir an diese Adresse schreiben, ist ein Anmeldelink unterwegs. Er funktioniert einmal, 15 Minuten lang.
page-sign-in-limited = Für diese Adresse wurden kürzlich mehrere Anmeldelinks angefordert. Bitte verwenden Sie die neueste E-Mail oder versuchen Sie es später erneut.
page-sign-in-invalid = Dieser Anmeldelink ist ungültig
page-sign-in-invalid-why = Anmeldelinks funktionieren einmal, 15 Minuten lang. Fordern Sie einen neuen an.
page-sign-in-again = Neuen Anmeldelink senden
page-expired-access = Ihr Zugang ist abgelaufen
page-form-refused = Dieses Formular konnte nicht angenommen werden
page-form-refused-why = Es kam nicht von dieser Website. Öffnen Sie die Seite erneut aus Ihrer E-Mail und versuchen Sie es noch einmal.
page-no-document = Dokument nicht gefunden
page-no-document-why = Das Dokument wurde möglicherweise entfernt.

upload-too-large = Die Datei ist zu groß: Dateien dürfen höchstens { $size } groß sein.
upload-use-form = Wählen Sie eine Datei mit dem Upload-Formular.
upload-cut-short = Der Upload wurde abgebrochen oder ist fehlerhaft: { $reason }
upload-empty = Die Datei ist leer; wählen Sie eine andere.
upload-none = Es wurde keine Datei ausgewählt.

refusal-completed = Diese Anfrage ist abgeschlossen; es kann nichts mehr geändert werden.
refusal-task-done = „{ $title }“ ist erledigt; bitten Sie { $firm }, die Aufgabe wieder zu öffnen, wenn Sie etwas ändern müssen.
refusal-no-task = Diese Checkliste hat keine Aufgabe { $number }.
refusal-comment-empty = Ein Kommentar braucht etwas Text.
refusal-comment-too-long = Ein Kommentar darf höchstens { $most } Zeichen lang sein; teilen Sie ihn in zwei.
refusal-language = „{ $language }“ ist keine Sprache, die wir anbieten; wählen Sie eine aus der Liste.
refusal-files-quota = Diese Anfrage hat bereits { $count } Dateien von Ihnen, mehr nimmt sie nicht an. Es wurde nichts mehr hochgeladen; wenn Sie weitere senden müssen, antworten Sie auf die letzte E-Mail von { $firm }.
refusal-bytes-quota = Diese Anfrage nimmt höchstens { $most } an Dateien an und hat noch Platz für { $room }. Es wurde nichts hochgeladen; wenn Sie mehr senden müssen, antworten Sie auf die letzte E-Mail von { $firm }.
refusal-bytes-quota-file = Diese Anfrage nimmt höchstens { $most } an Dateien an und hat noch Platz für { $room }, und diese Datei ist { $size } groß. Es wurde nichts hochgeladen; wenn Sie mehr senden müssen, antworten Sie auf die letzte E-Mail von { $firm }.
refusal-upload-rate = Sie haben in der letzten Stunde { $count } Dateien hochgeladen, mehr nehmen wir von einem Gerät nicht an. Es wurde nichts hochgeladen; bitte versuchen Sie es in einer Weile noch einmal.
