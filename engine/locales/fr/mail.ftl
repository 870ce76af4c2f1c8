# Les e-mails que reçoit un client. Les noms ($work, $group, $firm, $sender, $contact) sont ceux
# du cabinet et restent tels qu'il les a écrits.
mail-hello = Bonjour { $contact },
mail-open-checklist = Ouvrir ma liste
mail-sender-at-firm = { $sender } de { $firm }
mail-due = à fournir le { $date }
mail-was-due = attendu le { $date }

request-subject = { $work } : { $group }
request-intro = { $who } a besoin de quelques éléments de votre part pour { $work } ({ $group }).
request-open = Ouvrez votre liste pour cocher ce qui est fait, envoyer des fichiers et poser vos questions :
request-replaces = Cet e-mail remplace celui envoyé le { $date } ; son lien ne fonctionne plus.
request-own-link = Ce lien n’est qu’à vous ; merci de ne pas le transférer.

reminder-subject = Rappel : { $work } : { $group }
reminder-intro = Un rappel de { $who } : nous attendons encore ceci pour { $work } ({ $group }).
reminder-also-open = Encore en attente :
reminder-open = Ouvrez votre liste :

digest-subject = Nouveau message au sujet de { $work }
digest-intro = { $firm } vous a écrit au sujet de { $work } :
digest-open = Répondez et consultez votre liste ici :
digest-button = Répondre et voir ma liste
digest-accepted = Accepté : « { $task } »
digest-sent-back = Renvoyé pour correction : « { $task } »

access-subject = Votre nouveau lien : { $work }
access-intro = Vous avez demandé un nouveau lien vers votre liste pour { $work } ({ $group }).
access-use-text = Ouvrez-le sur l’appareil que vous souhaitez utiliser :
access-use-html = Ouvrez-le sur l’appareil que vous souhaitez utiliser.
access-moves-text = L’ouvrir sur cet appareil y déplace votre liste ; les autres appareils auront besoin d’un nouveau lien.
access-moves-html = L’ouvrir sur un appareil y déplace votre liste ; les autres appareils auront besoin d’un nouveau lien.
access-ignore = Si vous n’avez pas demandé ce lien, vous pouvez ignorer cet e-mail.

sign-in-subject = Connexion à { $firm }
sign-in-intro-text = Voici votre lien pour vous connecter et voir toutes les demandes de { $firm }. Il fonctionne une fois, pendant 15 minutes :
sign-in-intro-html = Voici votre lien pour vous connecter et voir toutes les demandes de { $firm }. Il fonctionne une fois, pendant 15 minutes.
sign-in-button = Se connecter
sign-in-ignore = Si vous n’avez pas demandé à vous connecter, vous pouvez ignorer cet e-mail ; personne ne peut se connecter sans ce lien.
