# The client portal's pages. Names ($firm, $work, $group, $contact, $title) are the firm's words
# and stay as the firm wrote them.
portal-skip = Skip to content
portal-sign-in-link = Sign in to see all your requests
portal-sent-through = The client portal of { $firm }.
portal-language = Language:

checklist-for = for { $contact }
checklist-preview = A preview for staff: this is what { $contact } sees, without the buttons to tick, upload or comment.
checklist-preview-back = Back to the work
checklist-locked = This request is completed. You can read it and its documents, but nothing can be changed any more.
checklist-progress = { $done } of { $total } { $total ->
        [one] task
       *[other] tasks
    } done
checklist-notice-done = Marked done. Thank you!
checklist-notice-uploaded = File uploaded. Thank you!
checklist-notice-commented = Comment sent.
checklist-notice-language = Your language is saved; our next emails to you use it too.
task-done = Done
task-due = Due { $date }
task-overdue = overdue
task-sent-back = { $firm } sent this back:
task-accepted = Accepted by { $firm }.
task-documents = Documents from { $firm }
task-your-files = Your files
task-comments = Comments
task-mark-done = Mark “{ $title }” done
task-upload-label = Upload a file for “{ $title }”
task-upload-limit = (up to { $size })
task-upload = Upload
task-comment-label = Comment or question about “{ $title }”
task-send-comment = Send comment
checklist-messages = Messages from { $firm }
review-waiting = Not looked at yet
review-accepted = Accepted
review-sent-back = Sent back

landing-complete = This request is complete.
landing-complete-more = Nothing more is needed from you; you can still open your checklist to see what you sent.
landing-asked = { $firm } has asked you for a few things: { $group }.
landing-view = View my checklist
landing-open = Open my checklist
landing-hint = This link is yours alone. Opening your checklist keeps it on this device; another device will need a new link, which we email to you.

account-title = Your requests
account-signed-in-as = Signed in as { $contact } ({ $email }).
account-open = Open
account-to-do = { $count } to do
account-all-done = all done
account-nothing-waiting = Nothing is waiting for you.
account-completed = Completed
account-none-completed = No completed requests yet.
account-sign-out = Sign out

sign-in-title = Sign in
sign-in-heading = Sign in to see all your requests
sign-in-explain = Enter the email address { $firm } writes to. We will email you a link that signs you in; it works once, for 15 minutes.
sign-in-email = Your email address
sign-in-send = Email me a sign-in link
sign-in-press = Press the button to sign in on this device.

# Pages that say why something cannot be done, and what to do.
page-invalid-link = This link is not valid
page-invalid-link-why = Check that you opened the whole link from your email. If it still does not work, reply to that email and ask for a new one.
page-not-here = We cannot open this checklist here
page-not-here-why = Open the link in the most recent email we sent you, on this device. If that link has expired, its page offers to send you a new one.
page-not-here-account = If you have a client account, you can also sign in to it.
page-sign-in-account = Sign in to your account
page-reassigned = This request has moved to someone else
page-reassigned-why = { $firm } has asked someone else for these items, so this link and this device no longer open them.
page-reassigned-mistake = If you think this is a mistake, reply to the last email we sent you.
page-trouble = Something went wrong
page-trouble-why = We could not do that just now. Please try again in a minute.
page-cannot = That could not be done
page-back-checklist = Back to my checklist
page-replaced = This link was replaced
page-replaced-why = This link was replaced by a newer one we emailed you.
page-expired = This link has expired
page-expired-why = This link has expired.
page-fresh-link = We can email a fresh link to the address we have on file for you.
page-send-new-link = Send me a new access link
page-other-device = This checklist is open on another device
page-other-device-why = For your security, a checklist opens on one device at a time.
page-other-device-new = We can email a new link to the address we have on file for you; opening it on this device moves your checklist here.
page-complete = This request is complete
page-complete-name = “{ $work }” is complete.
page-complete-why = Nothing more is needed from you, so we have not sent a new link. If you need anything, reply to the last email we sent you.
page-check-email = Check your email
page-new-link-sent = We have emailed a new link to the address we have on file for you. It may take a minute to arrive.
page-new-link-use = Open it on the device you want to use.
page-wait = Please wait a little
page-new-link-limited = We have sent several new links recently. Please use the newest email, or try again in an hour.
page-sign-in-sent = If that address is one we write to, a sign-in link is on its way. It works once, for 15 minutes.
page-sign-in-limited = Several sign-in links were asked for this address recently. Please use the newest email, or try again later.
page-sign-in-invalid = This sign-in link is not valid
page-sign-in-invalid-why = Sign-in links work once, for 15 minutes. Ask for a new one.
page-sign-in-again = Email me a new sign-in link
page-expired-access = Your access has expired
page-form-refused = This form could not be accepted
page-form-refused-why = It did not come from this site. Open the page again from your email and try once more.
page-no-document = No such document
page-no-document-why = The document may have been removed.

# Why an upload was refused.
upload-too-large = The file is too large: files may be at most { $size }.
upload-use-form = Choose a file with the upload form.
upload-cut-short = The upload was cut short or malformed: { $reason }
upload-empty = The file is empty; choose another.
upload-none = No file was chosen.

# Why something a client asked on their checklist was refused. $firm is the firm's name.
refusal-completed = This request is completed; nothing more can be changed.
refusal-task-done = “{ $title }” is done; ask { $firm } to reopen it if you need to change it.
refusal-no-task = This checklist has no task { $number }.
refusal-comment-empty = A comment needs some text.
refusal-comment-too-long = A comment may be at most { $most } characters; split it in two.
refusal-language = “{ $language }” is not a language we have; choose one from the list.
refusal-files-quota = This request already has { $count } files from you, the most it takes. Nothing more was uploaded; if you need to send more, reply to the last email from { $firm }.
refusal-bytes-quota = This request takes at most { $most } of files and has room for { $room } more. Nothing was uploaded; if you need to send more, reply to the last email from { $firm }.
refusal-bytes-quota-file = This request takes at most { $most } of files and has room for { $room } more, and this file is { $size }. Nothing was uploaded; if you need to send more, reply to the last email from { $firm }.
refusal-upload-rate = You have uploaded { $count } files in the last hour, the most we take from one device. Nothing was uploaded; please try again in a little while.
