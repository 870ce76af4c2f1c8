# Les pages du portail client. Les noms ($firm, $work, $group, $contact, $title) sont ceux du
# cabinet et restent tels qu'il les a écrits.
portal-skip = Aller au contenu
portal-sign-in-link = Se connecter pour voir toutes vos demandes
portal-sent-through = Portail client de { $firm }.
portal-language = Langue :

checklist-for = pour { $contact }
checklist-preview = Un aperçu pour l’équipe : voici ce que voit { $contact }, sans les boutons pour cocher, envoyer ou commenter.
checklist-preview-back = Retour au dossier
checklist-locked = Cette demande est terminée. Vous pouvez la lire ainsi que ses documents, mais plus rien ne peut être modifié.
checklist-progress = { $done } { $done ->
        [one] tâche faite
       *[other] tâches faites
    } sur { $total }
checklist-notice-done = Marqué comme fait. Merci !
checklist-notice-uploaded = Fichier envoyé. Merci !
checklist-notice-commented = Commentaire envoyé.
checklist-notice-language = Votre langue est enregistrée ; nos prochains e-mails l’utiliseront aussi.
task-done = Fait
task-due = À fournir le { $date }
task-overdue = en retard
task-sent-back = { $firm } vous l’a renvoyé :
task-accepted = Accepté par { $firm }.
task-documents = Documents de { $firm }
task-your-files = Vos fichiers
task-comments = Commentaires
task-mark-done = Marquer « { $title } » comme fait
task-upload-label = Envoyer un fichier pour « { $title } »
task-upload-limit = (jusqu’à { $size })
task-upload = Envoyer
task-comment-label = Commentaire ou question sur « { $title } »
task-send-comment = Envoyer le commentaire
checklist-messages = Messages de { $firm }
review-waiting = Pas encore consulté
review-accepted = Accepté
review-sent-back = Renvoyé

landing-complete = Cette demande est terminée.
landing-complete-more = Nous n’avons plus besoin de rien ; vous pouvez encore ouvrir votre liste pour voir ce que vous avez envoyé.
landing-asked = { $firm } vous demande quelques éléments : { $group }.
landing-view = Voir ma liste
landing-open = Ouvrir ma liste
landing-hint = Ce lien n’est qu’à vous. Ouvrir votre liste la garde sur cet appareil ; un autre appareil aura besoin d’un nouveau lien, que nous vous enverrons par e-mail.

account-title = Vos demandes
account-signed-in-as = Connecté en tant que { $contact } ({ $email }).
account-open = En cours
account-to-do = { $count } à faire
account-all-done = tout est fait
account-nothing-waiting = Rien ne vous attend.
account-completed = Terminées
account-none-completed = Aucune demande terminée pour l’instant.
account-sign-out = Se déconnecter

sign-in-title = Connexion
sign-in-heading = Se connecter pour voir toutes vos demandes
sign-in-explain = Saisissez l’adresse e-mail à laquelle { $firm } vous écrit. Nous vous enverrons un lien de connexion ; il fonctionne une fois, pendant 15 minutes.
sign-in-email = Votre adresse e-mail
sign-in-send = M’envoyer un lien de connexion
sign-in-press = Appuyez sur le bouton pour vous connecter sur cet appareil.

page-invalid-link = Ce lien n’est pas valide
page-invalid-link-why = Vérifiez que vous avez ouvert le lien complet de votre e-mail. S’il ne fonctionne toujours pas, répondez à cet e-mail pour en demander un nouveau.
page-not-here = Nous ne pouvons pas ouvrir cette liste ici
page-not-here-why = Ouvrez le lien du dernier e-mail que nous vous avons envoyé, sur cet appareil. Si ce lien a expiré, sa page propose de vous en envoyer un nouveau.
page-not-here-account = Si vous avez un compte client, vous pouvez aussi vous y connecter.
page-sign-in-account = Se connecter à votre compte
page-reassigned = Cette demande a été confiée à quelqu’un d’autre
page-reassigned-why = { $firm } a demandé ces éléments à quelqu’un d’autre ; ce lien et cet appareil ne les ouvrent donc plus.
page-reassigned-mistake = Si vous pensez qu’il s’agit d’une erreur, répondez au dernier e-mail que nous vous avons envoyé.
page-trouble = Un problème est survenu
page-trouble-why = Nous n’avons pas pu le faire pour l’instant. Veuillez réessayer dans une minute.
page-cannot = Cela n’a pas pu être fait
page-back-checklist = Retour à ma liste
page-replaced = Ce lien a été remplacé
page-replaced-why = Ce lien a été remplacé par un plus récent que nous vous avons envoyé.
page-expired = Ce lien a expiré
page-expired-why = Ce lien a expiré.
page-fresh-link = Nous pouvons envoyer un nouveau lien à l’adresse que nous avons pour vous.
page-send-new-link = M’envoyer un nouveau lien d’accès
page-other-device = Cette liste est ouverte sur un autre appareil
page-other-device-why = Pour votre sécurité, une liste ne s’ouvre que sur un appareil à la fois.
page-other-device-new = Nous pouvons envoyer un nouveau lien à l’adresse que nous avons pour vous ; l’ouvrir sur cet appareil y déplace votre liste.
page-complete = Cette demande est terminée
page-complete-name = « { $work } » est terminé.
page-complete-why = Nous n’avons plus besoin de rien, nous n’avons donc pas envoyé de nouveau lien. Pour toute question, répondez au dernier e-mail que nous vous avons envoyé.
page-check-email = Consultez vos e-mails
page-new-link-sent = Nous avons envoyé un nouveau lien à l’adresse que nous avons pour vous. Il peut mettre une minute à arriver.
page-new-link-use = Ouvrez-le sur l’appareil que vous souhaitez utiliser.
page-wait = Veuillez patienter un peu
page-new-link-limited = Nous avons envoyé plusieurs nouveaux liens récemment. Utilisez le plus récent, ou réessayez dans une heure.
page-sign-in-sent = Si nous écrivons à cette adresse, un lien de connexion est en route. Il fonctionne une fois, pendant 15 minutes.
page-sign-in-limited = Plusieurs liens de connexion ont été demandés récemment pour cette adresse. Utilisez le plus récent, ou réessayez plus tard.
page-sign-in-invalid = Ce lien de connexion n’est pas valide
page-sign-in-invalid-why = Les liens de connexion fonctionnent une fois, pendant 15 minutes. Demandez-en un nouveau.
page-sign-in-again = M’envoyer un nouveau lien de connexion
page-expired-access = Votre accès a expiré
page-form-refused = Ce formulaire n’a pas pu être accepté
page-form-refused-why = Il ne vient pas de ce site. Rouvrez la page depuis votre e-mail et réessayez.
page-no-document = Document introuvable
page-no-document-why = Le document a peut-être été retiré.

upload-too-large = Le fichier est trop volumineux : { $size } au maximum par fichier.
upload-use-form = Choisissez un fichier avec le formulaire d’envoi.
upload-cut-short = L’envoi a été interrompu ou est mal formé : { $reason }
upload-empty = Le fichier est vide ; choisissez-en un autre.
upload-none = Aucun fichier n’a été choisi.

refusal-completed = Cette demande est terminée ; plus rien ne peut y être modifié.
refusal-task-done = « { $title } » est fait ; demandez à { $firm } de le rouvrir si vous devez le modifier.
refusal-no-task = Cette liste n’a pas de tâche { $number }.
refusal-comment-empty = Un commentaire doit contenir du texte.
refusal-comment-too-long = Un commentaire peut compter au plus { $most } caractères ; coupez-le en deux.
refusal-language = « { $language } » n’est pas une langue que nous proposons ; choisissez-en une dans la liste.
refusal-files-quota = Cette demande compte déjà { $count } fichiers de votre part, le maximum qu’elle accepte. Rien de plus n’a été envoyé ; si vous devez en envoyer d’autres, répondez au dernier e-mail de { $firm }.
refusal-bytes-quota = Cette demande accepte au plus { $most } de fichiers et peut encore recevoir { $room }. Rien n’a été envoyé ; si vous devez en envoyer davantage, répondez au dernier e-mail de { $firm }.
refusal-bytes-quota-file = Cette demande accepte au plus { $most } de fichiers et peut encore recevoir { $room }, et ce fichier fait { $size }. Rien n’a été envoyé ; si vous devez en envoyer davantage, répondez au dernier e-mail de { $firm }.
refusal-upload-rate = Vous avez envoyé { $count } fichiers au cours de la dernière heure, le maximum que nous acceptons d’un appareil. Rien n’a été envoyé ; réessayez dans un moment.
