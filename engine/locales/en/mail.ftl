# The emails a client receives. Names ($work, $group, $firm, $sender, $contact) are the firm's
# words and stay as the firm wrote them.
mail-hello = Hello { $contact },
mail-open-checklist = Open my checklist
mail-sender-at-firm = { $sender } at { $firm }
mail-due = due { $date }
mail-was-due = was due { $date }

request-subject = { $work }: { $group }
request-intro = { $who } needs a few things from you for { $work } ({ $group }).
request-open = Open your checklist to tick tasks off, upload files and ask questions:
request-own-link = This link is yours alone; please do not forward it.
request-replaces = This email replaces the one sent on { $date }; its link no longer works.

reminder-subject = Reminder: { $work }: { $group }
reminder-intro = A reminder from { $who }: we are still waiting for these for { $work } ({ $group }).
reminder-also-open = Also still open:
reminder-open = Open your checklist:

digest-subject = New message about { $work }
digest-intro = { $firm } wrote about { $work }:
digest-open = Reply and see your checklist here:
digest-button = Reply and see my checklist
digest-accepted = Accepted: “{ $task }”
digest-sent-back = Sent back: “{ $task }”

access-subject = Your new link: { $work }
access-intro = You asked for a new link to your checklist for { $work } ({ $group }).
access-use-text = Open it on the device you want to use:
access-use-html = Open it on the device you want to use.
access-moves-text = Opening it on this device moves your checklist here; other devices will need a new link.
access-moves-html = Opening it on a device moves your checklist there; other devices will need a new link.
access-ignore = If you did not ask for this link, you can ignore this email.

sign-in-subject = Sign in to { $firm }
sign-in-intro-text = Here is your link to sign in and see all your requests from { $firm }. It works once, for 15 minutes:
sign-in-intro-html = Here is your link to sign in and see all your requests from { $firm }. It works once, for 15 minutes.
sign-in-button = Sign in
sign-in-ignore = If you did not ask to sign in, you can ignore this email; nobody can sign in without this link.
